package dev.cloudpc.reprovision.auth;

import dev.cloudpc.reprovision.config.Settings;
import java.util.List;

/**
 * What {@link CallerValidator} and {@link AccessPolicy} need to decide who is calling and what they may do: the
 * tenant and this API, the admin role and self scope, and which callers without a token are accepted.
 */
public record CallerOptions(String tenantId, String clientId, List<String> audiences, String adminRole,
                            String selfScope, boolean easyAuthEnabled, boolean functionKeyCallersAreAdmins) {

  public static CallerOptions from(Settings settings) {
    return new CallerOptions(settings.tenantId(), settings.clientId(), settings.acceptedAudiences(),
        settings.adminRole(), settings.selfScope(), settings.easyAuthEnabled(), settings.functionKeyCallersAreAdmins());
  }
}
