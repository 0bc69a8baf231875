package dev.cloudpc.reprovision.request;

/** Carries a {@link Problem} through a failed {@code Future}; cheap (no stack trace) because refusals are routine. */
public final class ProblemException extends RuntimeException {
  private final transient Problem problem;

  public ProblemException(Problem problem) {
    super(problem.status() + " " + problem.slug() + ": " + problem.detail(), null, false, false);
    this.problem = problem;
  }

  public Problem problem() {
    return problem;
  }
}
