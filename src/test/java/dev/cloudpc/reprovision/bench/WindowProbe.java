package dev.cloudpc.reprovision.bench;

import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;

/**
 * The window's edges for {@link ClosedLoop}: reads CPU time when the window opens and closes — the product's, this
 * bench JVM's (fake tenant + load generator) and the whole machine's, so what other processes took shows too — and
 * runs optional extra steps there (e.g. switching the fake Graph's recording). /proc reads are file I/O, so they run
 * on a worker thread, never on the load generator's event loop.
 */
final class WindowProbe implements ClosedLoop.Edges {
  private static final ProcStats BENCH = new ProcStats(ProcessHandle.current().pid());

  /** CPU seconds at one instant. */
  private record Reading(double product, double bench, double machine) {
    static Reading of(ProcStats product) {
      return new Reading(product.read().cpuSeconds(), BENCH.read().cpuSeconds(), ProcStats.machineBusySeconds());
    }
  }

  private final Vertx vertx;
  private final ProcStats product;
  private final Runnable atOpen;
  private final Runnable atClose;
  private volatile Reading opened;
  private volatile Reading closed;

  WindowProbe(Vertx vertx, ProcStats product, Runnable atOpen, Runnable atClose) {
    this.vertx = vertx;
    this.product = product;
    this.atOpen = atOpen;
    this.atClose = atClose;
  }

  WindowProbe(Vertx vertx, ProcStats product) {
    this(vertx, product, () -> { }, () -> { });
  }

  @Override
  public Future<Void> opening() {
    return vertx.executeBlocking(() -> {
      atOpen.run();
      opened = Reading.of(product);
      return null;
    });
  }

  @Override
  public Future<Void> closed() {
    return vertx.executeBlocking(() -> {
      closed = Reading.of(product);
      atClose.run();
      return null;
    });
  }

  /** The product's CPU seconds (user + system) spent inside the window. */
  double productCpuSeconds() {
    return closed.product() - opened.product();
  }

  /** Where the machine's CPU went during the window, in cores (CPU seconds per second of window). */
  JsonObject coresUsed(double windowSeconds) {
    double product = productCpuSeconds();
    double bench = closed.bench() - opened.bench();
    double machine = closed.machine() - opened.machine();
    return new JsonObject()
        .put("product", Report.round(product / windowSeconds))
        .put("benchJvm", Report.round(bench / windowSeconds))
        .put("otherProcesses", Report.round(Math.max(0, machine - product - bench) / windowSeconds))
        .put("machineBusy", Report.round(machine / windowSeconds))
        .put("machineCores", Runtime.getRuntime().availableProcessors());
  }
}
