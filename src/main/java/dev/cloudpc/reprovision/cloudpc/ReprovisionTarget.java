package dev.cloudpc.reprovision.cloudpc;

import dev.cloudpc.reprovision.graph.GraphCall;

/**
 * A Cloud PC the caller may reprovision, established by {@link TargetResolver}: the PC as Graph showed it, and the
 * Graph request that would reprovision it.
 *
 * @param route  which API route asked for it (admin, users, me), for audit
 * @param delegated the Graph call runs with the caller's own (on-behalf-of) token
 */
public record ReprovisionTarget(String route, CloudPc pc, GraphCall reprovision, boolean delegated) {

  public String cloudPcId() {
    return pc.id();
  }
}
