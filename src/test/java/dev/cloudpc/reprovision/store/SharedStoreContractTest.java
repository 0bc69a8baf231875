package dev.cloudpc.reprovision.store;

import static org.assertj.core.api.Assertions.assertThat;

import dev.cloudpc.reprovision.config.Secret;
import dev.cloudpc.reprovision.config.StorageConnection;
import dev.cloudpc.reprovision.store.SharedStore.Key;
import dev.cloudpc.reprovision.support.Azurite;
import dev.cloudpc.reprovision.support.StrictVertxTest;
import dev.cloudpc.reprovision.telemetry.Telemetry;
import io.vertx.core.Future;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.client.WebClient;
import io.vertx.junit5.VertxTestContext;
import java.net.URI;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** What the reprovision and idempotency code rely on, checked on both stores: in memory and Azurite's Table service. */
class SharedStoreContractTest extends StrictVertxTest {
  private static SharedStore table;

  @BeforeAll
  static void azurite() {
    assertThat(List.of(1)).containsOnlyOnce(1); // AssertJ's first use loads many classes: not on an event loop
    Azurite azurite = Azurite.shared();
    SharedKeySigner signer = new SharedKeySigner(StorageConnection.DEV_ACCOUNT,
        new Secret(StorageConnection.DEV_KEY));
    table = new TableStore(WebClient.create(vertx), URI.create(azurite.tableEndpoint()), "contract" + System.nanoTime(),
        (request, verb, type, date, path) -> {
          request.putHeader("Authorization", signer.authorization(verb, type, date, path));
          return Future.succeededFuture();
        }, Telemetry.none());
  }

  @Test
  void memory(VertxTestContext test) {
    contract(new MemoryStore()).onComplete(test.succeedingThenComplete());
  }

  @Test
  void azureTableStorage(VertxTestContext test) {
    contract(table).onComplete(test.succeedingThenComplete());
  }

  @Test
  void theTableStoreNamesItselfWithoutTheKey() {
    assertThat(table.describe()).startsWith("Azure Table Storage, table contract")
        .doesNotContain(StorageConnection.DEV_KEY);
  }

  private Future<Void> contract(SharedStore store) {
    Key key = new Key("contract", "pc-" + System.nanoTime());
    Instant later = Instant.now().plusSeconds(120);
    List<String> seen = new ArrayList<>();
    JsonObject first = new JsonObject().put("state", "sending");
    return store.insertIfAbsent(key, first, later)
        .compose(mine -> store.insertIfAbsent(key, new JsonObject().put("state", "other"), later)
            .compose(theirs -> {
              seen.add("inserted=" + mine.inserted() + "," + theirs.inserted());
              seen.add("existing=" + theirs.entry().value().getString("state"));
              return store.replace(key, "W/\"stale\"", new JsonObject().put("state", "stale"), later)
                  .compose(stale -> {
                    seen.add("stale=" + stale);
                    return store.replace(key, mine.entry().etag(), new JsonObject().put("state", "accepted"),
                        Instant.now().minusSeconds(1)); // already expired: counts as absent from now on
                  });
            }))
        .compose(replaced -> store.insertIfAbsent(key, new JsonObject().put("state", "next"), later)
            .compose(next -> {
              seen.add("afterExpiry=" + next.inserted() + "," + next.entry().value().getString("state"));
              return store.delete(key, replaced.etag()) // an old version: must not delete the new entry
                  .compose(v -> store.insertIfAbsent(key, new JsonObject().put("state", "again"), later))
                  .compose(again -> {
                    seen.add("oldDeleteKept=" + !again.inserted());
                    return store.delete(key, next.entry().etag());
                  });
            }))
        .compose(v -> store.insertIfAbsent(key, new JsonObject().put("state", "fresh"), later))
        .compose(fresh -> {
          seen.add("afterDelete=" + fresh.inserted());
          return store.find(key).compose(found -> {
            seen.add("found=" + found.value().getString("state") + "," + found.etag().equals(fresh.entry().etag()));
            return store.replace(key, found.etag(), new JsonObject().put("state", "done"),
                Instant.now().minusSeconds(1));
          });
        })
        .compose(expired -> store.find(key))
        .compose(expired -> {
          seen.add("expiredFound=" + expired);
          return store.find(new Key("contract", "never-" + System.nanoTime()));
        })
        .map(never -> {
          seen.add("neverFound=" + never);
          assertThat(seen).containsExactly("inserted=true,false", "existing=sending", "stale=null",
              "afterExpiry=true,next", "oldDeleteKept=true", "afterDelete=true", "found=fresh,true",
              "expiredFound=null", "neverFound=null");
          return null;
        });
  }
}
