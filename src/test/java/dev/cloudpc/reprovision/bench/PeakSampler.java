package dev.cloudpc.reprovision.bench;

import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Samples the product's threads and RSS every 100 ms on a thread of its own (file reads must stay off the event
 * loops), keeping the peaks since the last {@link #reset()}. VmHWM gives the all-time RSS peak exactly; the sampled
 * peak gives it per phase.
 */
final class PeakSampler implements AutoCloseable {
  private static final long PERIOD_MS = 100;

  private final ProcStats stats;
  private final ScheduledExecutorService timer = Executors.newSingleThreadScheduledExecutor(r -> {
    Thread thread = new Thread(r, "bench-proc-sampler");
    thread.setDaemon(true);
    return thread;
  });
  private final AtomicInteger peakThreads = new AtomicInteger();
  private final AtomicLong peakRssKib = new AtomicLong();

  PeakSampler(ProcStats stats) {
    this.stats = stats;
    timer.scheduleAtFixedRate(this::sample, 0, PERIOD_MS, TimeUnit.MILLISECONDS);
  }

  void reset() {
    peakThreads.set(0);
    peakRssKib.set(0);
    sample();
  }

  int peakThreads() {
    sample();
    return peakThreads.get();
  }

  long peakRssKib() {
    sample();
    return peakRssKib.get();
  }

  private void sample() {
    try {
      ProcStats.Snapshot now = stats.read();
      peakThreads.accumulateAndGet(now.threads(), Math::max);
      peakRssKib.accumulateAndGet(now.rssKib(), Math::max);
    } catch (IllegalStateException gone) {
      // the process ended; the peaks stay as they were
    }
  }

  @Override
  public void close() {
    timer.shutdownNow();
  }
}
