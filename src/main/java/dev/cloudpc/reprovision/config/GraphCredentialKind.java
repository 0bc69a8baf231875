package dev.cloudpc.reprovision.config;

import java.util.Arrays;
import java.util.stream.Collectors;

/** How the function obtains tokens for Microsoft Graph (setting GRAPH_CREDENTIAL). */
public enum GraphCredentialKind {
  MANAGED_IDENTITY("managed-identity"),
  CLIENT_SECRET("client-secret"),
  ON_BEHALF_OF("on-behalf-of");

  private final String settingValue;

  GraphCredentialKind(String settingValue) {
    this.settingValue = settingValue;
  }

  public String settingValue() {
    return settingValue;
  }

  static GraphCredentialKind parse(String value) {
    for (GraphCredentialKind kind : values()) {
      if (kind.settingValue.equals(value)) {
        return kind;
      }
    }
    throw new SettingsException("GRAPH_CREDENTIAL", "'" + value + "' is not one of "
        + Arrays.stream(values()).map(k -> k.settingValue).collect(Collectors.joining(", ")));
  }
}
