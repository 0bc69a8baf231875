package dev.cloudpc.reprovision.routes;

import dev.cloudpc.reprovision.auth.PollLinks;
import dev.cloudpc.reprovision.request.RequestScope;
import java.util.Map;

/**
 * The URLs the routes answer with: polling links (absolute, signed, carrying the caller's key if any) and the lists'
 * next-page links (absolute, carrying the caller's key if any).
 */
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

  /** The next page of a list: {@code path} on this API with {@code query}. */
  public String nextPage(RequestScope scope, String path, Map<String, String> query) {
    return scope.absolute(path, query, withKey);
  }

  private String signed(RequestScope scope, String path) {
    return scope.absolute(path, Map.of(PollLinks.PARAM, signer.sign(path)), withKey);
  }
}
