package dev.cloudpc.reprovision.sandbox;

import java.util.List;
import java.util.Queue;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.regex.Pattern;

/** Every Graph request in arrival order, for assertions. Can be switched off for long benchmarks. */
final class RequestRecorder {

  private final Queue<RecordedRequest> requests = new ConcurrentLinkedQueue<>();
  private volatile boolean enabled = true;

  void record(IncomingGraphRequest call) {
    if (enabled) {
      requests.add(call.record());
    }
  }

  void enabled(boolean value) {
    enabled = value;
  }

  List<RecordedRequest> all() {
    return List.copyOf(requests);
  }

  /** Method case-insensitive ({@code "*"} or null for any); the path regex must match the whole path. */
  long count(String method, String pathRegex) {
    Pattern path = Pattern.compile(pathRegex);
    return requests.stream()
        .filter(r -> method == null || "*".equals(method) || method.equalsIgnoreCase(r.method()))
        .filter(r -> path.matcher(r.path()).matches())
        .count();
  }

  void clear() {
    requests.clear();
  }
}
