package dev.cloudpc.reprovision.config;

/** A setting is missing or malformed; the message names the setting and what is expected. */
public final class SettingsException extends RuntimeException {
  private final String setting;

  public SettingsException(String setting, String problem) {
    super(setting + ": " + problem);
    this.setting = setting;
  }

  public String setting() {
    return setting;
  }
}
