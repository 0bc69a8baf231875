package dev.cloudpc.reprovision.graph;

import dev.cloudpc.reprovision.auth.Caller;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.json.JsonObject;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.util.Optional;

/**
 * One Graph request: method, path below the API version, optional JSON body, and whose token to use (app-only unless
 * {@code onBehalfOf} names the caller).
 */
public record GraphCall(HttpMethod method, String path, JsonObject body, Optional<Caller> onBehalfOf) {

  public static final String CLOUD_PCS = "/deviceManagement/virtualEndpoint/cloudPCs";

  public static GraphCall get(String path) {
    return new GraphCall(HttpMethod.GET, path, null, Optional.empty());
  }

  public static GraphCall post(String path, JsonObject body) {
    return new GraphCall(HttpMethod.POST, path, body, Optional.empty());
  }

  public GraphCall onBehalfOf(Caller caller) {
    return new GraphCall(method, path, body, Optional.of(caller));
  }

  /** GETs may be retried after any transport failure; other methods only when Graph said it did not process them. */
  public boolean safeToRepeat() {
    return method == HttpMethod.GET;
  }

  /** A path segment from an identifier that was validated but may still hold reserved characters (UPNs). */
  public static String segment(String value) {
    return URLEncoder.encode(value, StandardCharsets.UTF_8).replace("+", "%20");
  }

  public static GraphCall cloudPc(String cloudPcId) {
    return get(CLOUD_PCS + "/" + segment(cloudPcId));
  }
}
