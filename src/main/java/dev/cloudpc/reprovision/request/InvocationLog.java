package dev.cloudpc.reprovision.request;

import java.util.ArrayList;
import java.util.List;
import java.util.Queue;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.ConcurrentMap;
import java.util.concurrent.atomic.AtomicInteger;
import org.slf4j.Logger;
import org.slf4j.event.Level;

/**
 * Log lines that belong to one request: always written to SLF4J (the console, as before), and — while the Azure
 * Functions invocation that handed the request over is running — also kept for that invocation, whose thread
 * publishes them to {@code ExecutionContext.getLogger()} before it returns.
 *
 * <p>Why the invocation thread publishes, not the event loop that logs: the worker's invocation logger sends each
 * record to the host tagged with the invocation id from whatever thread logs it
 * (azure-functions-java-worker {@code WorkerLogManager.java}, {@code HostLoggerListener}), but through
 * {@code JavaWorkerClient.StreamingMessagePeer.send}, which is {@code synchronized} with every other invocation's
 * answer — an event loop must not wait there. And the host ties a record to its invocation only while the
 * invocation is executing: once the worker's answer is in, records for it are ignored
 * (azure-functions-host {@code src/WebJobs.Script.Grpc/Channel/GrpcWorkerChannel.cs}, {@code Log} →
 * {@code IgnoringRpcLog}). Publishing from the invocation thread after the router answered and before returning puts
 * every line on the gRPC stream ahead of the answer, in order. Lines logged after the answer (a bulk run's later PCs)
 * stay on the console, tagged with the invocation id.
 *
 * <p>The invocation id reaches the router in a hand-over header vouched for by the hand-over secret; the local host
 * never opens an invocation, so there this class only logs to the console.
 */
public final class InvocationLog {
  /** A bulk run of 1,000 PCs writes about as many audit lines; more than this stays on the console only. */
  static final int MAX_LINES = 2_000;
  private static final ConcurrentMap<String, Capture> OPEN = new ConcurrentHashMap<>();

  private InvocationLog() {
  }

  /** One line as logged: the logger's name is kept so the Functions log shows the category. */
  public record Line(Level level, String logger, String message, Throwable thrown) {
  }

  /** Lines kept for one running invocation; close it (on the invocation thread) to stop keeping them. */
  public static final class Capture implements AutoCloseable {
    private final String invocationId;
    private final Queue<Line> lines = new ConcurrentLinkedQueue<>();
    private final AtomicInteger kept = new AtomicInteger();

    private Capture(String invocationId) {
      this.invocationId = invocationId;
    }

    private void offer(Line line) {
      if (kept.incrementAndGet() <= MAX_LINES) {
        lines.add(line);
      }
    }

    /** The lines kept so far, oldest first, and forgets them; a note says how many were only on the console. */
    public List<Line> drain() {
      List<Line> drained = new ArrayList<>();
      for (Line line = lines.poll(); line != null; line = lines.poll()) {
        drained.add(line);
      }
      int beyond = kept.get() - MAX_LINES;
      if (beyond > 0) {
        drained.add(new Line(Level.WARN, InvocationLog.class.getName(), "inv=" + invocationId + " " + beyond
            + " more lines of this invocation are in the console log only", null));
      }
      return drained;
    }

    @Override
    public void close() {
      OPEN.remove(invocationId, this);
    }
  }

  /** Starts keeping the lines of requests handed over by invocation {@code invocationId}. */
  public static Capture open(String invocationId) {
    Capture capture = new Capture(invocationId);
    OPEN.put(invocationId, capture);
    return capture;
  }

  /** Logs {@code message} (already formatted; never a secret) and keeps it for the invocation if it is running. */
  public static void log(Logger log, Level level, String invocationId, String message, Throwable thrown) {
    if (!log.isEnabledForLevel(level)) {
      return;
    }
    log.atLevel(level).setCause(thrown).log(message);
    Capture capture = invocationId == null ? null : OPEN.get(invocationId);
    if (capture != null) {
      capture.offer(new Line(level, log.getName(), message, thrown));
    }
  }
}
