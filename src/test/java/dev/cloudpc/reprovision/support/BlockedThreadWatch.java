package dev.cloudpc.reprovision.support;

import static org.assertj.core.api.Assertions.assertThat;

import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.AppenderBase;
import io.netty.buffer.ByteBufAllocator;
import io.vertx.core.Vertx;
import io.vertx.core.VertxOptions;
import io.vertx.core.internal.threadchecker.BlockedThreadChecker;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.extension.AfterAllCallback;
import org.junit.jupiter.api.extension.BeforeAllCallback;
import org.junit.jupiter.api.extension.ExtensionContext;
import org.slf4j.LoggerFactory;

/**
 * Makes Vert.x's blocked-thread checker strict and fatal for a test class: event-loop work over
 * {@link #MAX_EVENT_LOOP_MS} (Vert.x's default is 2,000 ms) is reported by Vert.x, captured here, and fails the class.
 * The limit leaves room for a 2-core CI machine descheduling a busy event loop, not for any blocking call.
 */
public final class BlockedThreadWatch implements BeforeAllCallback, AfterAllCallback {
  public static final long MAX_EVENT_LOOP_MS = 300;
  private static final String CHECKER = BlockedThreadChecker.LOGGER_NAME;

  private final List<String> reports = new CopyOnWriteArrayList<>();
  private final AppenderBase<ILoggingEvent> appender = new AppenderBase<>() {
    @Override
    protected void append(ILoggingEvent event) {
      reports.add(event.getFormattedMessage());
    }
  };

  /** A Vertx whose checker reports any event-loop task longer than {@link #MAX_EVENT_LOOP_MS}. */
  public static Vertx strictVertx() {
    // The JVM's first direct buffer costs a one-off ~200 ms (allocator and JFR set-up): pay it here, not on a loop.
    ByteBufAllocator.DEFAULT.directBuffer(16).release();
    return Vertx.vertx(new VertxOptions()
        .setBlockedThreadCheckInterval(50)
        .setBlockedThreadCheckIntervalUnit(TimeUnit.MILLISECONDS)
        .setMaxEventLoopExecuteTime(MAX_EVENT_LOOP_MS)
        .setMaxEventLoopExecuteTimeUnit(TimeUnit.MILLISECONDS)
        .setMaxWorkerExecuteTime(30)
        .setMaxWorkerExecuteTimeUnit(TimeUnit.SECONDS));
  }

  @Override
  public void beforeAll(ExtensionContext context) {
    reports.clear(); // one watch serves every class that extends StrictVertxTest
    appender.start();
    ((Logger) LoggerFactory.getLogger(CHECKER)).addAppender(appender);
  }

  /** Forgets what was reported so far: a test base's own warm-up (first use of the HTTP client) is not under test. */
  public void forgetSoFar() {
    reports.clear();
  }

  @Override
  public void afterAll(ExtensionContext context) {
    ((Logger) LoggerFactory.getLogger(CHECKER)).detachAppender(appender);
    assertThat(reports).as("event-loop threads blocked during %s", context.getDisplayName()).isEmpty();
  }
}
