package dev.cloudpc.reprovision.support;

import com.microsoft.azure.functions.HttpMethod;
import com.microsoft.azure.functions.HttpRequestMessage;
import com.microsoft.azure.functions.HttpResponseMessage;
import com.microsoft.azure.functions.HttpStatus;
import com.microsoft.azure.functions.HttpStatusType;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;

/**
 * A request as the Azure Functions host and Java worker hand it to a function, built from what a client sent and
 * transformed the way they transform it:
 * <ul>
 *   <li>azure-functions-host {@code src/WebJobs.Script.Grpc/MessageExtensions/GrpcMessageConversionExtensions.cs}
 *   ({@code ToRpcHttp}): the URL is {@code scheme://host + path + the raw query string}; header names are lower-cased
 *   and a repeated header's values are joined with {@code ","} ({@code StringValues.ToString()}); the body is read
 *   only when {@code ContentLength > 0}, so a chunked body is dropped (host issues 4926, 7930); with the Java
 *   worker's {@code RpcHttpBodyOnly} capability an octet-stream or multipart body travels as bytes, any other as
 *   text.</li>
 *   <li>azure-functions-java-worker {@code .../worker/binding/RpcHttpRequestDataSource.java}: {@code getUri()} is
 *   {@code URI.create(url)} on every call (so it throws on what the JDK cannot parse);
 *   {@code RpcByteArrayDataSource.java}: bytes become a String with {@code new String(bytes)};
 *   {@code RpcHttpDataTarget.java}: response headers live in a {@code HashMap} — one value per (case-sensitive)
 *   name, the last one written wins.</li>
 * </ul>
 */
public final class FakeHttpRequest implements HttpRequestMessage<Optional<String>> {
  private final HttpMethod method;
  private final String url;
  private final Map<String, String> headers;
  private final Optional<String> body;

  private FakeHttpRequest(HttpMethod method, String url, Map<String, String> headers, Optional<String> body) {
    this.method = method;
    this.url = url;
    this.headers = Collections.unmodifiableMap(headers);
    this.body = body;
  }

  /** What a client sending these headers and, with {@code Content-Length}, this body to {@code uri} would give. */
  public FakeHttpRequest(HttpMethod method, URI uri, Map<String, String> headers, Optional<String> body) {
    this(from(method, uri, headers, body));
  }

  private FakeHttpRequest(FakeHttpRequest built) {
    this(built.method, built.url, built.headers, built.body);
  }

  private static FakeHttpRequest from(HttpMethod method, URI uri, Map<String, String> headers,
                                      Optional<String> body) {
    Builder builder = to(method, uri.toString());
    headers.forEach(builder::header);
    body.ifPresent(builder::body);
    return builder.build();
  }

  /** A client's request to {@code url}, exactly as the client wrote it (the query is not re-encoded). */
  public static Builder to(HttpMethod method, String url) {
    return new Builder(method, url);
  }

  /** The invocation context the worker passes along, with the logger the worker ties to the invocation. */
  public static FakeInvocation context(String invocationId) {
    return new FakeInvocation(invocationId, FakeInvocation.newTraceparent());
  }

  @Override
  public URI getUri() {
    return URI.create(url);
  }

  @Override
  public HttpMethod getHttpMethod() {
    return method;
  }

  @Override
  public Map<String, String> getHeaders() {
    return headers;
  }

  /** Not used by the product: the router reads the query from the URL it is handed. */
  @Override
  public Map<String, String> getQueryParameters() {
    return Map.of();
  }

  @Override
  public Optional<String> getBody() {
    return body;
  }

  @Override
  public HttpResponseMessage.Builder createResponseBuilder(HttpStatus status) {
    return new Response().status(status);
  }

  @Override
  public HttpResponseMessage.Builder createResponseBuilder(HttpStatusType status) {
    return new Response().status(status);
  }

  /** What the client sent; {@link #build()} gives what the function would see. */
  public static final class Builder {
    private final HttpMethod method;
    private final String url;
    private final List<Map.Entry<String, String>> sent = new ArrayList<>();
    private String payload;

    private Builder(HttpMethod method, String url) {
      this.method = method;
      this.url = url;
    }

    /** One header line; repeat the name to send it twice. */
    public Builder header(String name, String value) {
      sent.add(Map.entry(name, value));
      return this;
    }

    /** A body sent with {@code Content-Length}: it reaches the function. */
    public Builder body(String text) {
      payload = text;
      return header("Content-Length", Integer.toString(text.getBytes(StandardCharsets.UTF_8).length));
    }

    /** A body sent with {@code Transfer-Encoding: chunked}: the host forwards the header, not the body. */
    public Builder chunked(String text) {
      payload = text;
      return header("Transfer-Encoding", "chunked");
    }

    public FakeHttpRequest build() {
      Map<String, String> headers = new LinkedHashMap<>();
      if (sent.stream().noneMatch(h -> h.getKey().equalsIgnoreCase("host"))) {
        headers.put("host", url.replaceFirst("^[a-z]+://", "").replaceFirst("[/?#].*", ""));
      }
      for (Map.Entry<String, String> header : sent) {
        headers.merge(header.getKey().toLowerCase(Locale.ROOT), header.getValue(), (a, b) -> a + "," + b);
      }
      return new FakeHttpRequest(method, url, headers, Optional.ofNullable(delivered(headers)));
    }

    private String delivered(Map<String, String> headers) {
      long length = Long.parseLong(headers.getOrDefault("content-length", "0").trim());
      if (payload == null || length <= 0) {
        return null;
      }
      String type = headers.getOrDefault("content-type", "").toLowerCase(Locale.ROOT);
      if (type.startsWith("application/octet-stream") || type.startsWith("multipart/")) {
        return new String(payload.getBytes(StandardCharsets.UTF_8)); // bytes, turned to text as the worker does
      }
      return payload;
    }
  }

  /** The worker's response message: a HashMap of headers, case-sensitive, last value wins. */
  static final class Response implements HttpResponseMessage, HttpResponseMessage.Builder {
    private final Map<String, String> headers = new HashMap<>();
    private HttpStatusType status;
    private Object body;

    @Override
    public HttpStatusType getStatus() {
      return status;
    }

    @Override
    public String getHeader(String name) {
      return headers.get(name);
    }

    @Override
    public Object getBody() {
      return body;
    }

    @Override
    public HttpResponseMessage.Builder status(HttpStatusType status) {
      this.status = status;
      return this;
    }

    @Override
    public HttpResponseMessage.Builder header(String key, String value) {
      headers.put(key, value);
      return this;
    }

    @Override
    public HttpResponseMessage.Builder body(Object body) {
      this.body = body;
      return this;
    }

    @Override
    public HttpResponseMessage build() {
      return this;
    }
  }

  /** Every header name the response carries, as the worker would send them to the host. */
  public static Map<String, String> headersOf(HttpResponseMessage response) {
    return Map.copyOf(((Response) response).headers);
  }

  @Override
  public String toString() {
    return method + " " + url + " " + headers.keySet();
  }
}
