package dev.cloudpc.reprovision.graph;

import dev.cloudpc.reprovision.sandbox.SandboxTenant;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Predicate;

/**
 * The fake Graph's token check, able to start refusing the tokens issued so far — a revoked or rolled token, one
 * issued before a tenant change: {@link #revokeIssuedSoFar()} makes Graph answer 401 InvalidAuthenticationToken to
 * every token it has seen, while tokens the identity issues afterwards are accepted as usual. "Seen" rather than the
 * token's {@code iat}: that has whole seconds, and a token fetched in the same second must still be new.
 */
final class TokenRevocation implements Predicate<String> {
  private final Predicate<String> sandboxCheck;
  private final Set<String> seen = ConcurrentHashMap.newKeySet();
  private final Set<String> revoked = ConcurrentHashMap.newKeySet();
  private final AtomicInteger refusals = new AtomicInteger();
  private volatile boolean refuseAll;

  private TokenRevocation(Predicate<String> sandboxCheck) {
    this.sandboxCheck = sandboxCheck;
  }

  /** Installs the check on the tenant's fake Graph. */
  static TokenRevocation install(SandboxTenant tenant) {
    TokenRevocation revocation = new TokenRevocation(tenant.identity()::verifyGraphToken);
    tenant.graph().acceptTokens(revocation);
    return revocation;
  }

  @Override
  public boolean test(String token) {
    seen.add(token);
    boolean accepted = !refuseAll && !revoked.contains(token) && sandboxCheck.test(token);
    if (!accepted) {
      refusals.incrementAndGet();
    }
    return accepted;
  }

  /** From now on Graph refuses every token it has seen; new ones pass. */
  void revokeIssuedSoFar() {
    revoked.addAll(seen);
  }

  /** Graph refuses every token, new ones too (a credential that cannot work), until {@link #refuseAll(boolean)}. */
  void refuseAll(boolean refuse) {
    refuseAll = refuse;
  }

  /** Graph calls answered 401 by this check. */
  int refusals() {
    return refusals.get();
  }

  /** Distinct tokens Graph was shown. */
  int tokensSeen() {
    return seen.size();
  }
}
