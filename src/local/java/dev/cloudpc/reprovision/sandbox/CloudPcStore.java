package dev.cloudpc.reprovision.sandbox;

import io.vertx.core.json.JsonObject;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The mutable side of the Cloud PCs. Only PCs that were ever reprovisioned have an entry, so 100,000 generated PCs
 * cost nothing until touched. Every change goes through {@link ConcurrentHashMap#compute}, which makes "is a rebuild
 * running? if not, start one" atomic under any number of concurrent requests.
 */
final class CloudPcStore {

  /** What a reprovision request led to; {@code action} is set only when a rebuild started. */
  record Start(Kind kind, SimulatedRebuild action) {
    enum Kind { STARTED, NOT_FOUND, BUSY, NOT_SUPPORTED }
  }

  /** Changes of one PC, newest action first. */
  private record History(List<SimulatedRebuild> actions, String osVersion, String userAccountType) {

    History with(SimulatedRebuild action, String newOs, String newAccountType) {
      List<SimulatedRebuild> all = new ArrayList<>(actions.size() + 1);
      all.add(action);
      all.addAll(actions);
      return new History(List.copyOf(all), newOs == null ? osVersion : newOs,
          newAccountType == null ? userAccountType : newAccountType);
    }
  }

  private final SandboxDirectory directory;
  private final Map<String, History> histories = new ConcurrentHashMap<>();
  private final Map<String, SimulatedRebuild.Ending> endNext = new ConcurrentHashMap<>();
  /** Statuses set by tests (e.g. pendingProvision, movingRegion): they win over the computed one. */
  private final Map<String, String> statusOverrides = new ConcurrentHashMap<>();
  private final Set<String> unsupported = ConcurrentHashMap.newKeySet();
  /** lastRemoteActionResult shown instead of the computed one; an empty object: the property is left out. */
  private final Map<String, JsonObject> lastActionOverrides = new ConcurrentHashMap<>();
  private volatile Duration rebuildTime;

  CloudPcStore(SandboxDirectory directory, Duration rebuildTime) {
    this.directory = directory;
    this.rebuildTime = rebuildTime;
  }

  SandboxDirectory directory() {
    return directory;
  }

  void rebuildTime(Duration value) {
    rebuildTime = value;
  }

  void endNextRebuild(String id, SimulatedRebuild.Ending ending) {
    endNext.put(key(id), ending);
  }

  void overrideStatus(String id, String status) {
    if (status == null) {
      statusOverrides.remove(key(id));
    } else {
      statusOverrides.put(key(id), status);
    }
  }

  void overrideLastAction(String id, JsonObject action) {
    lastActionOverrides.put(key(id), action);
  }

  /** Whether answers leave lastRemoteActionResult out even when {@code $select} names it (a test's override). */
  boolean lastActionOmitted(String id) {
    JsonObject overridden = lastActionOverrides.get(key(id));
    return overridden != null && overridden.isEmpty();
  }

  /** The PC's lastRemoteActionResult as Graph would return it on {@code $select}; null when it never had one. */
  JsonObject lastAction(String id, Instant now) {
    JsonObject overridden = lastActionOverrides.get(key(id));
    if (overridden != null) {
      return overridden.isEmpty() ? null : overridden.copy();
    }
    List<SimulatedRebuild> actions = actions(id);
    return actions.isEmpty() ? null : actions.get(0).toJson(now);
  }

  void reprovisionSupported(String id, boolean supported) {
    if (supported) {
      unsupported.remove(key(id));
    } else {
      unsupported.add(key(id));
    }
  }

  boolean reprovisionSupported(String id) {
    return !unsupported.contains(key(id));
  }

  Start startReprovision(String id, String osVersion, String userAccountType) {
    Optional<CloudPcSeed> seed = directory.cloudPc(id);
    if (seed.isEmpty()) {
      return new Start(Start.Kind.NOT_FOUND, null);
    }
    if (!reprovisionSupported(id)) {
      return new Start(Start.Kind.NOT_SUPPORTED, null);
    }
    CloudPcSeed pc = seed.get();
    String overridden = statusOverrides.get(pc.id());
    if (overridden != null && !Set.of("provisioned", "provisionedWithWarnings", "failed").contains(overridden)) {
      return new Start(Start.Kind.BUSY, null);
    }
    Start[] outcome = new Start[1];
    histories.compute(pc.id(), (ignored, history) -> {
      History current = history != null ? history : new History(List.of(), pc.osVersion(), "standardUser");
      Instant now = Instant.now();
      if (!current.actions().isEmpty() && current.actions().get(0).runningAt(now)) {
        outcome[0] = new Start(Start.Kind.BUSY, null);
        return current;
      }
      // A queued failure belongs to the rebuild that actually starts, not to a refused request.
      SimulatedRebuild action = new SimulatedRebuild(pc.id(), pc.managedDeviceId(), now, now.plus(rebuildTime),
          endNext.remove(pc.id()));
      outcome[0] = new Start(Start.Kind.STARTED, action);
      return current.with(action, osVersion, userAccountType);
    });
    return outcome[0];
  }

  Optional<CloudPcView> view(String id) {
    return directory.cloudPc(id).map(pc -> view(pc, Instant.now()));
  }

  CloudPcView view(CloudPcSeed pc, Instant now) {
    History history = histories.get(pc.id());
    String status = "provisioned";
    StatusDetail detail = null;
    Instant modified = pc.created();
    String os = pc.osVersion();
    String accountType = "standardUser";
    if (history != null) {
      SimulatedRebuild last = history.actions().get(0);
      os = history.osVersion();
      accountType = history.userAccountType();
      if (last.runningAt(now)) {
        status = "provisioning";
        modified = last.start();
      } else {
        status = last.failedAt(now) ? "failed" : "provisioned";
        detail = last.failedAt(now) ? last.ending().detail() : null;
        modified = last.end();
      }
    }
    String overridden = statusOverrides.get(pc.id());
    if (overridden != null) {
      status = overridden;
      detail = null;
    }
    return new CloudPcView(pc.id(), pc.name(), pc.name(), pc.managedDeviceId(), pc.user().userPrincipalName(),
        pc.user().id(), status, detail, SandboxSeed.PROVISIONING_POLICY, SandboxSeed.SERVICE_PLAN, os, accountType,
        modified);
  }

  /** Newest first; empty for a PC never reprovisioned. */
  List<SimulatedRebuild> actions(String id) {
    History history = histories.get(key(id));
    return history == null ? List.of() : history.actions();
  }

  /** Back to the seeded state: every PC provisioned, no history, no queued failures. */
  void reset() {
    histories.clear();
    endNext.clear();
    statusOverrides.clear();
    unsupported.clear();
    lastActionOverrides.clear();
  }

  private static String key(String id) {
    return id.toLowerCase(Locale.ROOT);
  }
}
