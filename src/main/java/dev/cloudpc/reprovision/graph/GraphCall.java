package dev.cloudpc.reprovision.graph;

import dev.cloudpc.reprovision.auth.Caller;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.json.JsonObject;
import java.net.URI;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;

/**
 * One Graph request: method, path below the API version, optional JSON body, whose token to use (app-only unless
 * {@code onBehalfOf} names the caller), the API version when it must differ from the configured one, and extra
 * request headers.
 *
 * @param apiVersion empty: the configured {@code GRAPH_API_VERSION}
 */
public record GraphCall(HttpMethod method, String path, JsonObject body, Optional<Caller> onBehalfOf,
                        Optional<String> apiVersion, Map<String, String> headers) {

  public static final String CLOUD_PCS = "/deviceManagement/virtualEndpoint/cloudPCs";
  /** Status, statusDetail and the remote-action functions exist only on beta (api-reference/v1.0/resources/cloudpc.md). */
  public static final String BETA = "beta";
  /**
   * Evolvable enums: members added after {@code unknownFutureValue} (cloudPcStatus movingRegion, preparing, …) come
   * back only with this preference, otherwise as {@code unknownFutureValue}
   * (graph/best-practices-concept.md#handling-future-members-in-evolvable-enumerations; api-reference/beta/resources/cloudpc.md).
   */
  public static final String PREFER_UNKNOWN_ENUMS = "include-unknown-enum-members";

  public GraphCall {
    headers = Map.copyOf(headers);
  }

  public GraphCall(HttpMethod method, String path, JsonObject body, Optional<Caller> onBehalfOf) {
    this(method, path, body, onBehalfOf, Optional.empty(), Map.of());
  }

  public static GraphCall get(String path) {
    return new GraphCall(HttpMethod.GET, path, null, Optional.empty());
  }

  public static GraphCall post(String path, JsonObject body) {
    return new GraphCall(HttpMethod.POST, path, body, Optional.empty());
  }

  public GraphCall onBehalfOf(Caller caller) {
    return new GraphCall(method, path, body, Optional.of(caller), apiVersion, headers);
  }

  public GraphCall atVersion(String version) {
    return new GraphCall(method, path, body, onBehalfOf, Optional.of(version), headers);
  }

  public GraphCall withHeader(String name, String value) {
    Map<String, String> more = new LinkedHashMap<>(headers);
    more.put(name, value);
    return new GraphCall(method, path, body, onBehalfOf, apiVersion, more);
  }

  /** The same call asking only for these properties ({@code $select}, comma-separated, sent as one query option). */
  public GraphCall selecting(String properties) {
    String select = "$select=" + properties;
    return new GraphCall(method, path + (path.contains("?") ? "&" : "?") + select, body, onBehalfOf, apiVersion,
        headers);
  }

  /** A read of Cloud PC state: beta (v1.0 has no status), with unknown enum members spelt out. */
  public GraphCall cloudPcRead() {
    return atVersion(BETA).withHeader("Prefer", PREFER_UNKNOWN_ENUMS);
  }

  /**
   * The call that fetches the page an {@code @odata.nextLink} names, with the same credential and headers; empty when
   * the link does not point below {@code graphBase} (a token is never sent elsewhere).
   */
  public Optional<GraphCall> next(String nextLink, URI graphBase) {
    String prefix = graphBase.toString().replaceAll("/+$", "") + "/";
    if (nextLink == null || !nextLink.startsWith(prefix)) {
      return Optional.empty();
    }
    String rest = nextLink.substring(prefix.length());
    int slash = rest.indexOf('/');
    if (slash <= 0) {
      return Optional.empty();
    }
    String version = rest.substring(0, slash);
    if (!version.equals(BETA) && !version.equals("v1.0")) {
      return Optional.empty();
    }
    return Optional.of(new GraphCall(HttpMethod.GET, rest.substring(slash), null, onBehalfOf,
        Optional.of(version), headers));
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
    return get(CLOUD_PCS + "/" + segment(cloudPcId)).cloudPcRead();
  }
}
