package dev.cloudpc.reprovision.routes;

import dev.cloudpc.reprovision.auth.PollLinks;
import dev.cloudpc.reprovision.request.RequestScope;
import java.util.Map;

/** The polling URLs the reprovision routes answer with: absolute, signed, and carrying the caller's key if any. */
public final class OperationLinks {
  private final PollLinks signer;
  private final boolean withKey;

  /**
   * @param withKey copy the caller's {@code ?code=} into links — not when a key alone makes an admin
   *                (AUTH_FUNCTION_KEY_CALLERS_ARE_ADMINS): a link in a run history must not grant a reprovision
   */
  public OperationLinks(PollLinks signer, boolean withKey) {
    this.signer = signer;
    this.withKey = withKey;
  }

  public String single(RequestScope scope, String cloudPcId, String operationId) {
    return signed(scope, "/api/cloudpcs/" + cloudPcId + "/operations/" + operationId);
  }

  public String bulk(RequestScope scope, String bulkOperationId) {
    return signed(scope, "/api/cloudpcs/reprovision/operations/" + bulkOperationId);
  }

  private String signed(RequestScope scope, String path) {
    return scope.absolute(path, Map.of(PollLinks.PARAM, signer.sign(path)), withKey);
  }
}
