package dev.cloudpc.reprovision.auth;

import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.AppenderBase;
import java.util.List;
import java.util.Queue;
import java.util.concurrent.ConcurrentLinkedQueue;
import org.slf4j.LoggerFactory;

/** Every log event of the JVM while attached (root logger), for assertions on what was — and was not — logged. */
final class LogCapture extends AppenderBase<ILoggingEvent> {
  private final Queue<ILoggingEvent> events = new ConcurrentLinkedQueue<>();

  static LogCapture attach() {
    LogCapture capture = new LogCapture();
    capture.start();
    root().addAppender(capture);
    return capture;
  }

  void detach() {
    root().detachAppender(this);
    stop();
  }

  @Override
  protected void append(ILoggingEvent event) {
    events.add(event);
  }

  /** Formatted messages of one logger, oldest first. */
  List<String> messages(String loggerName) {
    return events.stream().filter(e -> e.getLoggerName().equals(loggerName)).map(ILoggingEvent::getFormattedMessage)
        .toList();
  }

  /** Every formatted message, with the text of attached exceptions. */
  List<String> everything() {
    return events.stream().map(e -> e.getFormattedMessage()
        + (e.getThrowableProxy() == null ? "" : " " + e.getThrowableProxy().getMessage())).toList();
  }

  private static Logger root() {
    return (Logger) LoggerFactory.getLogger(org.slf4j.Logger.ROOT_LOGGER_NAME);
  }
}
