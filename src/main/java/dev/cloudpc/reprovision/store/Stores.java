package dev.cloudpc.reprovision.store;

import dev.cloudpc.reprovision.config.StorageConnection;
import dev.cloudpc.reprovision.telemetry.Telemetry;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.ext.web.client.WebClient;
import io.vertx.ext.web.client.WebClientOptions;
import java.time.Clock;

/** Chooses the store from the settings: Azure Table Storage when AzureWebJobsStorage names an account, else memory. */
public final class Stores {
  private Stores() {
  }

  public static SharedStore create(Vertx vertx, StoreOptions options, Telemetry telemetry) {
    if (options.connection().isEmpty()) {
      return new MemoryStore();
    }
    StorageConnection connection = options.connection().get();
    WebClient web = WebClient.create(vertx, new WebClientOptions().setConnectTimeout((int) TableStore.TIMEOUT_MS)
        .setKeepAlive(true).setUserAgent("cloudpc-reprovision"));
    TableStore.Authorizer authorizer;
    if (connection.accountKey().isPresent()) {
      SharedKeySigner signer = new SharedKeySigner(connection.accountName(), connection.accountKey().get());
      authorizer = (request, verb, contentType, date, path) -> {
        request.putHeader("Authorization", signer.authorization(verb, contentType, date, path));
        return Future.succeededFuture();
      };
    } else {
      StorageToken token = new StorageToken(web, options.managedIdentity(), connection.identity(),
          Clock.systemUTC(), telemetry);
      authorizer = (request, verb, contentType, date, path) -> token.get()
          .map(value -> {
            request.putHeader("Authorization", "Bearer " + value);
            return null;
          });
    }
    return new TableStore(web, connection.tableEndpoint(), options.table(), authorizer, telemetry);
  }
}
