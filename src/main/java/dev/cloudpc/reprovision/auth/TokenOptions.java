package dev.cloudpc.reprovision.auth;

import dev.cloudpc.reprovision.config.Settings;
import java.net.URI;
import java.util.List;

/**
 * What {@link SigningKeys} and {@link TokenVerifier} need to check a caller's token: the tenant, this API's client id,
 * the issuers and audiences a token may carry, where the tenant publishes its keys and how often they may be refetched.
 */
public record TokenOptions(String tenantId, String clientId, String v1Issuer, String v2Issuer, List<String> audiences,
                           URI openIdConfiguration, int jwksMinRefreshSeconds) {

  public static TokenOptions from(Settings settings) {
    return new TokenOptions(settings.tenantId(), settings.clientId(), settings.v1Issuer(), settings.v2Issuer(),
        settings.acceptedAudiences(), settings.openIdConfigurationUri(), settings.jwksMinRefreshSeconds());
  }
}
