package dev.cloudpc.reprovision.function;

import dev.cloudpc.reprovision.request.Problem;
import dev.cloudpc.reprovision.request.ProblemException;
import java.net.URI;
import java.net.URISyntaxException;
import java.util.function.Supplier;

/**
 * Where a request handed over by the Java worker goes: the scheme and authority the caller used, and the raw path and
 * query to forward to the router.
 *
 * <p>The worker builds {@code getUri()} with {@code URI.create} on the URL the host sends
 * (azure-functions-java-worker {@code .../worker/binding/RpcHttpRequestDataSource.java}), and the host sends the
 * query exactly as the caller wrote it ({@code scheme://host + path + QueryString} in azure-functions-host
 * {@code GrpcMessageConversionExtensions.cs}, {@code ToRpcHttp}). So a query with {@code |} or {@code %zz} makes
 * {@code getUri()} throw. {@code URI.create} wraps the {@link URISyntaxException}, whose input is that raw URL:
 * characters that only the JDK refuses and that mean nothing to URL syntax are percent-encoded, which leaves every
 * decoded query value unchanged; anything else (a malformed {@code %} escape, any fault in the path) is a 400 that
 * names the part and the query parameter — never its value, which may be a function key ({@code ?code=}).
 */
record RequestTarget(String origin, String pathAndQuery) {
  /** Legal in a URL's query, refused by java.net.URI; they carry no syntax, so encoding them changes nothing. */
  private static final String ENCODE_IN_QUERY = " \"<>\\^`{|}";

  static RequestTarget of(Supplier<URI> workerUri) {
    try {
      return of(workerUri.get());
    } catch (IllegalArgumentException refused) {
      if (!(refused.getCause() instanceof URISyntaxException syntax)) {
        throw unreadable("the URL", "it is not a valid URL");
      }
      String raw = syntax.getInput();
      try {
        return of(new URI(encodeQuery(raw)));
      } catch (URISyntaxException still) {
        throw unreadable(partAt(raw, still.getIndex()), still.getReason());
      }
    }
  }

  private static RequestTarget of(URI uri) {
    if (uri.getScheme() == null || uri.getRawAuthority() == null || uri.getRawPath() == null) {
      throw unreadable("the URL", "it is not an absolute http(s) URL");
    }
    String query = uri.getRawQuery() == null ? "" : "?" + uri.getRawQuery();
    return new RequestTarget(uri.getScheme() + "://" + uri.getRawAuthority(), uri.getRawPath() + query);
  }

  private static String encodeQuery(String raw) {
    int start = raw.indexOf('?');
    if (start < 0) {
      return raw;
    }
    StringBuilder out = new StringBuilder(raw.length() + 16).append(raw, 0, start + 1);
    for (int i = start + 1; i < raw.length(); i++) {
      char c = raw.charAt(i);
      if (ENCODE_IN_QUERY.indexOf(c) >= 0) {
        out.append('%').append(String.format("%02X", (int) c));
      } else {
        out.append(c);
      }
    }
    return out.toString();
  }

  /** "the path" or "the query parameter 'name'" holding {@code index} of {@code raw}; a safe echo of the name. */
  private static String partAt(String raw, int index) {
    int query = raw.indexOf('?');
    if (query < 0 || index <= query) {
      return "the path";
    }
    int from = raw.lastIndexOf('&', index) < query ? query + 1 : raw.lastIndexOf('&', index) + 1;
    int to = raw.indexOf('=', from);
    String name = raw.substring(from, to < 0 || to > index ? Math.min(index, raw.length()) : to);
    String safe = name.replaceAll("[^A-Za-z0-9._~-]", "?");
    return "the query parameter '" + (safe.length() > 40 ? safe.substring(0, 40) + "…" : safe) + "'";
  }

  private static ProblemException unreadable(String part, String reason) {
    return Problem.badRequest("url-not-parseable", "The request URL cannot be read: " + part + " is malformed ("
        + reason + "); percent-encode reserved characters in query values (e.g. '%' as %25, '&' as %26) and send "
        + "the request again.").exception();
  }
}
