package dev.cloudpc.reprovision.support;

import com.microsoft.azure.functions.ExecutionContext;
import com.microsoft.azure.functions.TraceContext;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Queue;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.ThreadLocalRandom;
import java.util.logging.Handler;
import java.util.logging.Level;
import java.util.logging.LogRecord;
import java.util.logging.Logger;

/**
 * The {@link ExecutionContext} the Java worker passes to one invocation, with its log pipeline as the host sees it.
 * azure-functions-java-worker {@code WorkerLogManager.getInvocationLogger} gives each invocation an anonymous JUL
 * logger whose handler sends every record, from any thread, to the host tagged with the invocation id; the host
 * ({@code src/WebJobs.Script.Grpc/Channel/GrpcWorkerChannel.cs}, {@code Log}) ties a record to the invocation only
 * while that invocation is executing and ignores it once the worker has answered. {@link #finish()} marks that
 * moment: records published after it are {@linkplain #ignored() ignored}.
 */
public final class FakeInvocation implements ExecutionContext {
  private final String invocationId;
  private final String traceparent;
  private final Logger logger = Logger.getAnonymousLogger();
  private final Queue<LogRecord> attributed = new ConcurrentLinkedQueue<>();
  private final Queue<LogRecord> ignored = new ConcurrentLinkedQueue<>();
  private volatile boolean finished;

  FakeInvocation(String invocationId, String traceparent) {
    this.invocationId = invocationId;
    this.traceparent = traceparent;
    logger.setUseParentHandlers(false);
    logger.setLevel(Level.ALL);
    logger.addHandler(new Handler() {
      @Override
      public void publish(LogRecord record) {
        (finished ? ignored : attributed).add(record);
      }

      @Override
      public void flush() {
      }

      @Override
      public void close() {
      }
    });
  }

  static String newTraceparent() {
    ThreadLocalRandom random = ThreadLocalRandom.current();
    return "00-" + HexFormat.of().formatHex(bytes(random, 16)) + "-" + HexFormat.of().formatHex(bytes(random, 8))
        + "-01";
  }

  private static byte[] bytes(ThreadLocalRandom random, int n) {
    byte[] b = new byte[n];
    random.nextBytes(b);
    return b;
  }

  /** The function returned: the worker sent its answer, the host stops attributing records to this invocation. */
  public FakeInvocation finish() {
    finished = true;
    return this;
  }

  /** Messages the host tied to this invocation (published before {@link #finish()}). */
  public List<String> lines() {
    return attributed.stream().map(LogRecord::getMessage).toList();
  }

  public List<String> ignored() {
    return ignored.stream().map(LogRecord::getMessage).toList();
  }

  public String traceparent() {
    return traceparent;
  }

  @Override
  public Logger getLogger() {
    return logger;
  }

  @Override
  public String getInvocationId() {
    return invocationId;
  }

  @Override
  public String getFunctionName() {
    return "test";
  }

  @Override
  public TraceContext getTraceContext() {
    return new TraceContext() {
      @Override
      public String getTraceparent() {
        return traceparent;
      }

      @Override
      public String getTracestate() {
        return "";
      }

      @Override
      public Map<String, String> getAttributes() {
        return Map.of();
      }
    };
  }
}
