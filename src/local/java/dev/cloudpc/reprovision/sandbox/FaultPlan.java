package dev.cloudpc.reprovision.sandbox;

import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.Random;
import java.util.concurrent.ConcurrentLinkedDeque;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.regex.Pattern;

/**
 * Which requests misbehave. A request is matched by method (case-insensitive; {@code "*"} or null for any) and by
 * its path without the query, which must match the regex as a whole (e.g. {@code "/beta/.+/reprovision"}).
 * Queued one-shot rules win over permanent ones, which win over random ones. Thread-safe.
 */
public final class FaultPlan {

  /** Identity equality on purpose: two equal-looking one-shot rules are two separate uses. */
  private static final class Rule {
    private final String method;
    private final Pattern path;
    private final Fault fault;
    private final double probability;
    private final Random random;

    private Rule(String method, String pathRegex, Fault fault, double probability, Random random) {
      this.method = method;
      this.path = Pattern.compile(pathRegex);
      this.fault = Objects.requireNonNull(fault, "fault");
      this.probability = probability;
      this.random = random;
    }

    boolean matches(String requestMethod, String requestPath) {
      return (method == null || "*".equals(method) || method.equalsIgnoreCase(requestMethod))
          && path.matcher(requestPath).matches();
    }

    boolean fires() {
      synchronized (random) {
        return random.nextDouble() < probability;
      }
    }
  }

  private final ConcurrentLinkedDeque<Rule> once = new ConcurrentLinkedDeque<>();
  private final List<Rule> always = new CopyOnWriteArrayList<>();
  private final List<Rule> randomly = new CopyOnWriteArrayList<>();

  /** Queue a fault for the next matching request only; several queued for one match are used in order. */
  public FaultPlan next(String method, String pathRegex, Fault fault) {
    once.add(new Rule(method, pathRegex, fault, 1, null));
    return this;
  }

  /** Every matching request gets this fault until {@link #clear()}. */
  public FaultPlan always(String method, String pathRegex, Fault fault) {
    always.add(new Rule(method, pathRegex, fault, 1, null));
    return this;
  }

  /** Each matching request gets the fault with this probability; the seed makes a run repeatable. */
  public FaultPlan random(String method, String pathRegex, double probability, Fault fault, long seed) {
    if (probability < 0 || probability > 1) {
      throw new IllegalArgumentException("probability must be within 0..1");
    }
    randomly.add(new Rule(method, pathRegex, fault, probability, new Random(seed)));
    return this;
  }

  public FaultPlan clear() {
    once.clear();
    always.clear();
    randomly.clear();
    return this;
  }

  Optional<Fault> pick(String method, String path) {
    for (Rule rule : once) {
      // remove() decides between concurrent requests: only one of them consumes the rule.
      if (rule.matches(method, path) && once.remove(rule)) {
        return Optional.of(rule.fault);
      }
    }
    for (Rule rule : always) {
      if (rule.matches(method, path)) {
        return Optional.of(rule.fault);
      }
    }
    for (Rule rule : randomly) {
      if (rule.matches(method, path) && rule.fires()) {
        return Optional.of(rule.fault);
      }
    }
    return Optional.empty();
  }
}
