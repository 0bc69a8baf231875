package dev.cloudpc.reprovision.cloudpc;

import dev.cloudpc.reprovision.graph.GraphCall;
import io.vertx.core.Future;
import java.util.Optional;

/**
 * A Cloud PC the caller may reprovision, established by {@link TargetResolver}: the PC as Graph showed it, and the
 * Graph request that would reprovision it.
 *
 * @param route  which API route asked for it (admin, users, me), for audit
 * @param delegated the Graph call runs with the caller's own (on-behalf-of) token
 * @param lastReprovision the PC's newest Reprovision remote action, when the resolver already asked Graph for it
 *                        (in parallel with the PC read); null: the guard reads it
 */
public record ReprovisionTarget(String route, CloudPc pc, GraphCall reprovision, boolean delegated,
                                Future<Optional<RemoteAction>> lastReprovision) {

  public ReprovisionTarget(String route, CloudPc pc, GraphCall reprovision, boolean delegated) {
    this(route, pc, reprovision, delegated, null);
  }

  public String cloudPcId() {
    return pc.id();
  }
}
