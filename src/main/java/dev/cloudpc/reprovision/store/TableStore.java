package dev.cloudpc.reprovision.store;

import dev.cloudpc.reprovision.telemetry.Outbound;
import dev.cloudpc.reprovision.telemetry.Telemetry;
import dev.cloudpc.reprovision.telemetry.TraceContexts;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.client.HttpRequest;
import io.vertx.ext.web.client.HttpResponse;
import io.vertx.ext.web.client.WebClient;
import java.net.URI;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.ZonedDateTime;
import java.util.Map;
import java.util.concurrent.atomic.AtomicReference;

/**
 * {@link SharedStore} on Azure Table Storage through its REST API (Learn: "Table service REST API": Insert Entity,
 * Update Entity, Delete Entity, Query Entities, Create Table) and the Vert.x WebClient, so that nothing blocks and no
 * second Netty comes with an SDK. One entity per key: PartitionKey = kind, RowKey = id, {@code value} (the JSON as a
 * string) and {@code expiresAt} (Edm.DateTime). Insert-if-absent is Insert Entity (409 EntityAlreadyExists when
 * present); replace and delete send {@code If-Match} with the ETag (412 when it changed). The table is created on
 * first use (409 TableAlreadyExists is fine) and again if it disappears. Each request is a client span of the API
 * request it serves (the shared store's operations take no request: its trace is the ambient one of the Vert.x
 * context) and counts in {@code reprovision.store.requests}.
 */
public final class TableStore implements SharedStore {
  static final long TIMEOUT_MS = 5_000;
  private static final String VERSION = "2019-02-02"; // the first Table version that accepts Entra ID bearer tokens
  private static final String JSON = "application/json";
  private static final int INSERT_ATTEMPTS = 3;

  /** Adds the Authorization header (Shared Key or a bearer token) to a request for {@code path}. */
  interface Authorizer {
    Future<Void> authorize(HttpRequest<Buffer> request, String verb, String contentType, String date, String path);
  }

  private final WebClient web;
  private final String origin;
  private final String basePath;
  private final String table;
  private final Authorizer authorizer;
  private final Telemetry telemetry;
  private final String host;
  private final AtomicReference<Future<Void>> tableReady = new AtomicReference<>();

  public TableStore(WebClient web, URI endpoint, String table, Authorizer authorizer, Telemetry telemetry) {
    this.web = web;
    this.origin = endpoint.getScheme() + "://" + endpoint.getAuthority();
    this.basePath = endpoint.getPath() == null ? "" : endpoint.getPath().replaceAll("/+$", "");
    this.table = table;
    this.authorizer = authorizer;
    this.telemetry = telemetry;
    this.host = endpoint.getHost();
  }

  @Override
  public String describe() {
    return "Azure Table Storage, table " + table + " at " + origin + basePath;
  }

  @Override
  public Future<Insert> insertIfAbsent(Key key, JsonObject value, Instant expiresAt) {
    return insertIfAbsent(key, value, expiresAt, INSERT_ATTEMPTS);
  }

  private Future<Insert> insertIfAbsent(Key key, JsonObject value, Instant expiresAt, int attemptsLeft) {
    if (attemptsLeft == 0) {
      return Future.failedFuture(StoreUnavailable.because(describe(), "an expired entry kept coming back"));
    }
    JsonObject entity = entity(value, expiresAt).put("PartitionKey", key.kind()).put("RowKey", key.id());
    return ensureTable()
        .compose(v -> call(HttpMethod.POST, basePath + "/" + table, Map.of("Prefer", "return-no-content"), entity))
        .compose(response -> switch (response.statusCode()) {
          case 201, 204 -> Future.succeededFuture(new Insert(new Entry(value, etag(response), expiresAt), true));
          case 409 -> read(key).compose(existing -> {
            if (existing == null) {
              return insertIfAbsent(key, value, expiresAt, attemptsLeft - 1); // deleted in between
            }
            if (existing.expired(Instant.now())) {
              return delete(key, existing.etag()).compose(v -> insertIfAbsent(key, value, expiresAt,
                  attemptsLeft - 1));
            }
            return Future.succeededFuture(new Insert(existing, false));
          });
          default -> tableGone(response)
              ? insertIfAbsent(key, value, expiresAt, attemptsLeft - 1)
              : Future.failedFuture(refused("insert", response));
        });
  }

  @Override
  public Future<Entry> replace(Key key, String etag, JsonObject value, Instant expiresAt) {
    return call(HttpMethod.PUT, entityPath(key), Map.of("If-Match", etag), entity(value, expiresAt))
        .compose(response -> switch (response.statusCode()) {
          case 204 -> Future.succeededFuture(new Entry(value, etag(response), expiresAt));
          case 404, 412 -> Future.succeededFuture((Entry) null);
          default -> Future.failedFuture(refused("update", response));
        });
  }

  @Override
  public Future<Void> delete(Key key, String etag) {
    return call(HttpMethod.DELETE, entityPath(key), Map.of("If-Match", etag), null)
        .compose(response -> switch (response.statusCode()) {
          case 204, 404, 412 -> Future.succeededFuture();
          default -> Future.failedFuture(refused("delete", response));
        });
  }

  @Override
  public Future<Entry> find(Key key) {
    return read(key).map(entry -> entry == null || entry.expired(Instant.now()) ? null : entry);
  }

  /** A round trip that needs the table and the credential: reads an entity that is never written. */
  @Override
  public Future<Void> check() {
    return ensureTable().compose(v -> call(HttpMethod.GET, entityPath(new Key("health", "probe")), Map.of(), null))
        .compose(response -> response.statusCode() == 200 || response.statusCode() == 404 && !tableGone(response)
            ? Future.succeededFuture() : Future.failedFuture(refused("read", response)));
  }

  /** The live or expired entry, or null when there is none. */
  private Future<Entry> read(Key key) {
    return call(HttpMethod.GET, entityPath(key), Map.of(), null).compose(response -> {
      if (response.statusCode() == 404) {
        return Future.succeededFuture();
      }
      if (response.statusCode() != 200) {
        return Future.failedFuture(refused("read", response));
      }
      JsonObject body = response.bodyAsJsonObject();
      return Future.succeededFuture(new Entry(new JsonObject(body.getString("value")), etag(response),
          Instant.parse(body.getString("expiresAt"))));
    });
  }

  private Future<Void> ensureTable() {
    while (true) {
      Future<Void> ready = tableReady.get();
      if (ready != null && !ready.failed()) {
        return ready;
      }
      Promise<Void> promise = Promise.promise();
      if (tableReady.compareAndSet(ready, promise.future())) {
        call(HttpMethod.POST, basePath + "/Tables", Map.of("Prefer", "return-no-content"),
            new JsonObject().put("TableName", table))
            .compose(response -> response.statusCode() == 201 || response.statusCode() == 204
                || response.statusCode() == 409 ? Future.<Void>succeededFuture()
                : Future.failedFuture(refused("create table " + table, response)))
            .onComplete(promise);
        return promise.future();
      }
    }
  }

  /** The table vanished (deleted, or an emulator restarted): forget it was there so the next call creates it. */
  private boolean tableGone(HttpResponse<Buffer> response) {
    if (response.statusCode() == 404 && "TableNotFound".equals(errorCode(response))) {
      tableReady.set(null);
      return true;
    }
    return false;
  }

  private Future<HttpResponse<Buffer>> call(HttpMethod method, String path, Map<String, String> headers,
                                            JsonObject body) {
    String contentType = body == null ? "" : JSON;
    String date = SharedKeySigner.date(ZonedDateTime.now(ZoneOffset.UTC));
    HttpRequest<Buffer> request = web.requestAbs(method, origin + path).timeout(TIMEOUT_MS)
        .putHeader("x-ms-date", date)
        .putHeader("x-ms-version", VERSION)
        .putHeader("DataServiceVersion", "3.0")
        .putHeader("Accept", "application/json;odata=nometadata");
    headers.forEach(request::putHeader);
    if (body != null) {
      request.putHeader("Content-Type", contentType);
    }
    Outbound span = telemetry.outbound(method.name() + " " + table, TraceContexts.ambient(), method.name(), host)
        .url(origin + path);
    span.inject(request::putHeader); // not signed: Shared Key covers x-ms-* headers only
    return authorizer.authorize(request, method.name(), contentType, date, path)
        .compose(v -> body == null ? request.send() : request.sendBuffer(body.toBuffer()))
        .onComplete(sent -> {
          int status = sent.succeeded() ? sent.result().statusCode() : 0;
          telemetry.metrics().storeRequest(method.name(), status, status == 0 || status >= 500 || status == 401
              || status == 403);
          if (sent.succeeded()) {
            span.answered(status);
          } else {
            span.failed(sent.cause());
          }
        })
        .recover(failure -> Future.failedFuture(StoreUnavailable.because(describe(),
            String.valueOf(failure.getMessage()))));
  }

  private String entityPath(Key key) {
    return basePath + "/" + table + "(PartitionKey='" + key.kind() + "',RowKey='" + key.id() + "')";
  }

  private static JsonObject entity(JsonObject value, Instant expiresAt) {
    return new JsonObject().put("value", value.encode()).put("expiresAt", expiresAt.toString())
        .put("expiresAt@odata.type", "Edm.DateTime");
  }

  private static String etag(HttpResponse<Buffer> response) {
    return response.getHeader("ETag");
  }

  private RuntimeException refused(String what, HttpResponse<Buffer> response) {
    String code = errorCode(response);
    return StoreUnavailable.because(describe(), what + " answered HTTP " + response.statusCode()
        + (code == null ? "" : " " + code));
  }

  /** The Table service's error code ({@code odata.error.code}), never its message. */
  private static String errorCode(HttpResponse<Buffer> response) {
    try {
      JsonObject error = response.bodyAsJsonObject();
      return error == null || error.getJsonObject("odata.error") == null ? null
          : error.getJsonObject("odata.error").getString("code");
    } catch (RuntimeException notJson) {
      return null;
    }
  }
}
