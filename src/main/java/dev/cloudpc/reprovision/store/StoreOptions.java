package dev.cloudpc.reprovision.store;

import dev.cloudpc.reprovision.config.ManagedIdentity;
import dev.cloudpc.reprovision.config.Settings;
import dev.cloudpc.reprovision.config.StorageConnection;
import java.util.Optional;

/**
 * What {@link Stores} needs to choose and build the shared store: the storage connection (none: memory), the table,
 * and the managed identity for identity-based connections.
 */
public record StoreOptions(Optional<StorageConnection> connection, String table, ManagedIdentity managedIdentity) {

  public static StoreOptions from(Settings settings) {
    return new StoreOptions(settings.stateStore(), settings.stateTable(), ManagedIdentity.from(settings));
  }
}
