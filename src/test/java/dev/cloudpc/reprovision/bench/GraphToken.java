package dev.cloudpc.reprovision.bench;

import dev.cloudpc.reprovision.sandbox.SandboxTenant;
import io.vertx.core.Future;
import io.vertx.core.MultiMap;
import io.vertx.core.Vertx;
import io.vertx.ext.web.client.WebClient;

/** The baseline's Graph token, fetched as the product fetches its own (client credentials): same shape. */
final class GraphToken {
  private GraphToken() {
  }

  static Future<String> fetch(Vertx vertx, SandboxTenant tenant) {
    WebClient web = WebClient.create(vertx);
    MultiMap form = MultiMap.caseInsensitiveMultiMap()
        .add("grant_type", "client_credentials")
        .add("client_id", tenant.clientId())
        .add("client_secret", tenant.clientSecret())
        .add("scope", tenant.graphBaseUrl() + "/.default");
    return web.postAbs(tenant.identityBaseUrl() + "/" + tenant.tenantId() + "/oauth2/v2.0/token")
        .sendForm(form)
        .map(response -> {
          if (response.statusCode() != 200) {
            throw new IllegalStateException("the sandbox refused a Graph token: " + response.bodyAsString());
          }
          return response.bodyAsJsonObject().getString("access_token");
        })
        .onComplete(ignored -> web.close());
  }
}
