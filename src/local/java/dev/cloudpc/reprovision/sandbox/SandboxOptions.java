package dev.cloudpc.reprovision.sandbox;

import java.time.Duration;
import java.util.Objects;
import java.util.Optional;

/**
 * How to start a {@link SandboxTenant}.
 *
 * @param tenantId      the fake directory's tenant GUID
 * @param clientId      the function's app registration (audience for callers, client for token grants)
 * @param rebuildTime   how long a reprovisioned Cloud PC stays {@code provisioning}
 * @param latency       extra delay added to every Graph answer (benchmarks)
 * @param extraCloudPcs additional generated Cloud PCs for benchmarks, one per {@code bench-user-<i>}
 * @param functionKey   fixed function key, or empty for a random one per start
 * @param graphLimits   the Windows 365 Graph limits the fake Graph enforces (Microsoft's documented ones by default)
 */
public record SandboxOptions(String tenantId, String clientId, Duration rebuildTime, Duration latency,
                             int extraCloudPcs, Optional<String> functionKey, GraphLimits graphLimits) {

  public static final String DEFAULT_TENANT_ID = "5b1e6c2a-7d4f-4c3b-9a8e-2f6d1c0b9e37";
  public static final String DEFAULT_CLIENT_ID = "0c7e4b2a-9f13-4d58-b6e1-2a8d5c9f0e74";
  /** Ids are generated from an index in 12 hex digits; a million keeps memory and startup trivial. */
  public static final int MAX_EXTRA_CLOUD_PCS = 1_000_000;

  public SandboxOptions {
    requireText(tenantId, "tenantId");
    requireText(clientId, "clientId");
    requireNonNegative(rebuildTime, "rebuildTime");
    requireNonNegative(latency, "latency");
    if (extraCloudPcs < 0 || extraCloudPcs > MAX_EXTRA_CLOUD_PCS) {
      throw new IllegalArgumentException("extraCloudPcs must be within 0.." + MAX_EXTRA_CLOUD_PCS);
    }
    Objects.requireNonNull(functionKey, "functionKey");
    functionKey.ifPresent(key -> requireText(key, "functionKey"));
    Objects.requireNonNull(graphLimits, "graphLimits");
  }

  public static SandboxOptions defaults() {
    return new SandboxOptions(DEFAULT_TENANT_ID, DEFAULT_CLIENT_ID, Duration.ofSeconds(20), Duration.ZERO, 0,
        Optional.empty(), GraphLimits.documented());
  }

  public SandboxOptions withTenantId(String tenantId) {
    return new SandboxOptions(tenantId, clientId, rebuildTime, latency, extraCloudPcs, functionKey, graphLimits);
  }

  public SandboxOptions withClientId(String clientId) {
    return new SandboxOptions(tenantId, clientId, rebuildTime, latency, extraCloudPcs, functionKey, graphLimits);
  }

  public SandboxOptions withRebuildTime(Duration rebuildTime) {
    return new SandboxOptions(tenantId, clientId, rebuildTime, latency, extraCloudPcs, functionKey, graphLimits);
  }

  public SandboxOptions withLatency(Duration latency) {
    return new SandboxOptions(tenantId, clientId, rebuildTime, latency, extraCloudPcs, functionKey, graphLimits);
  }

  public SandboxOptions withExtraCloudPcs(int extraCloudPcs) {
    return new SandboxOptions(tenantId, clientId, rebuildTime, latency, extraCloudPcs, functionKey, graphLimits);
  }

  public SandboxOptions withFunctionKey(String functionKey) {
    return new SandboxOptions(tenantId, clientId, rebuildTime, latency, extraCloudPcs, Optional.of(functionKey), graphLimits);
  }

  public SandboxOptions withGraphLimits(GraphLimits graphLimits) {
    return new SandboxOptions(tenantId, clientId, rebuildTime, latency, extraCloudPcs, functionKey, graphLimits);
  }

  private static void requireText(String value, String name) {
    if (value == null || value.isBlank()) {
      throw new IllegalArgumentException(name + " must not be blank");
    }
  }

  private static void requireNonNegative(Duration value, String name) {
    if (value == null || value.isNegative()) {
      throw new IllegalArgumentException(name + " must be zero or positive");
    }
  }
}
