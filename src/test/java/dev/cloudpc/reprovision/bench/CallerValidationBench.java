package dev.cloudpc.reprovision.bench;

import static dev.cloudpc.reprovision.support.Await.await;

import dev.cloudpc.reprovision.auth.Caller;
import dev.cloudpc.reprovision.auth.SigningKeys;
import dev.cloudpc.reprovision.auth.TokenOptions;
import dev.cloudpc.reprovision.auth.TokenVerifier;
import dev.cloudpc.reprovision.config.Settings;
import dev.cloudpc.reprovision.sandbox.GraphLimits;
import dev.cloudpc.reprovision.sandbox.SandboxOptions;
import dev.cloudpc.reprovision.sandbox.SandboxSeed;
import dev.cloudpc.reprovision.sandbox.SandboxTenant;
import dev.cloudpc.reprovision.sandbox.TokenVersion;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;
import java.time.Duration;
import java.util.List;
import java.util.stream.IntStream;

/**
 * Caller-validation CPU, without JMH: CPU ns per validated token on one thread, against the fake tenant's keys.
 * "Reused token" is the hot path (a flow reuses its token for an hour); "new token" includes the RS256 signature.
 * Run: {@code java -cp target/test-classes:target/classes:<deps> dev.cloudpc.reprovision.bench.CallerValidationBench}.
 */
public final class CallerValidationBench {
  private static final int ROUNDS = 5;
  private static final ThreadMXBean CPU = ManagementFactory.getThreadMXBean();

  private CallerValidationBench() {
  }

  public static void main(String[] args) throws Exception {
    Vertx vertx = Vertx.vertx();
    try {
      SandboxTenant tenant = await(SandboxTenant.start(vertx, SandboxOptions.defaults().withGraphLimits(GraphLimits.generous())));
      Settings settings = Settings.fromEnvironment(tenant.environment());
      TokenVerifier verifier = verifier(vertx, settings);
      List<String> fresh = IntStream.range(0, 5_000).mapToObj(i -> tenant.identity().mintApplicationToken(
          SandboxSeed.ADMIN_CALLER_APP_ID, List.of(SandboxTenant.ADMIN_ROLE), TokenVersion.V2, Duration.ofHours(1)))
          .toList();
      String reused = fresh.get(0);
      await(verifier.verify(reused)); // keys fetched
      for (int round = 0; round < ROUNDS; round++) {
        System.out.printf("round %d: reused token %,.0f ns/op, new token %,.0f ns/op%n", round,
            measure(verifier, List.of(reused), 2_000_000), measure(verifier, fresh, fresh.size()));
      }
      tenant.close();
    } finally {
      vertx.close();
    }
  }

  /** The one line that differs between implementations: how the verifier is built. */
  private static TokenVerifier verifier(Vertx vertx, Settings settings) {
    TokenOptions options = TokenOptions.from(settings);
    return new TokenVerifier(SigningKeys.create(vertx, options), options);
  }

  /** CPU time of this thread per operation: a busy 2-core machine's waiting does not count. */
  private static double measure(TokenVerifier verifier, List<String> tokens, int operations) {
    long start = CPU.getCurrentThreadCpuTime();
    for (int i = 0; i < operations; i++) {
      Future<Caller> caller = verifier.verify(tokens.get(i % tokens.size()));
      if (!caller.succeeded() || caller.result().objectId() == null) {
        throw new IllegalStateException("not validated synchronously: " + caller.cause());
      }
    }
    return (CPU.getCurrentThreadCpuTime() - start) / (double) operations;
  }
}
