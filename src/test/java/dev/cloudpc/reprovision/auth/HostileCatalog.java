package dev.cloudpc.reprovision.auth;

import dev.cloudpc.reprovision.auth.HostileCase.Builder;
import dev.cloudpc.reprovision.auth.HostileCase.Target;
import dev.cloudpc.reprovision.http.Handover;
import dev.cloudpc.reprovision.sandbox.SandboxOptions;
import dev.cloudpc.reprovision.sandbox.SandboxSeed;
import dev.cloudpc.reprovision.sandbox.SandboxTenant;
import dev.cloudpc.reprovision.sandbox.TokenVersion;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.nio.charset.StandardCharsets;
import java.security.PublicKey;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.UUID;
import java.util.function.UnaryOperator;

/**
 * The generated table of hostile requests: every token fault on every guarded route, then authorization, Easy Auth,
 * function-key, hand-over, path, body and method abuse. Each fault is the only thing wrong with its request, so
 * a refusal proves that exact check. Also the positive controls that must still pass.
 */
final class HostileCatalog {
  private static final String ADELE_PC = SandboxSeed.ADELE_CLOUD_PCS.get(0);
  private static final String MEGAN_PC = SandboxSeed.MEGAN_CLOUD_PCS.get(0);
  static final String OTHER_TENANT = "9c4f2e1d-3b6a-4d7e-8f90-1a2b3c4d5e6f";
  private static final String ADMIN_ROLE = SandboxTenant.ADMIN_ROLE;
  private static final String SELF_SCOPE = SandboxTenant.SELF_SCOPE;
  private static final String CLAIMS = "http://schemas.microsoft.com/identity/claims/";
  /** client-request-ids that are not GUIDs: the app must replace them, never echo them. */
  private static final List<String> ODD_REQUEST_IDS = List.of("not-a-guid", "<script>alert(1)</script>",
      "3f2504e0-4f89-41d3-9a0c-0305e82c330", "{3f2504e0-4f89-41d3-9a0c-0305e82c3301}", "' OR '1'='1",
      "../../etc/passwd", "3f2504e0-4f89-41d3-9a0c-0305e82c3301 x");

  /** The guarded routes, each aimed at Adele's own Cloud PC or list so that only the fault under test is wrong. */
  enum Route {
    ADMIN(HttpMethod.POST, "/api/cloudpcs/" + ADELE_PC + "/reprovision"),
    USERS(HttpMethod.POST, "/api/users/" + SandboxSeed.ADELE.id() + "/cloudpcs/" + ADELE_PC + "/reprovision"),
    ME(HttpMethod.POST, "/api/me/cloudpcs/" + ADELE_PC + "/reprovision"),
    STATUS(HttpMethod.GET, "/api/cloudpcs/" + ADELE_PC),
    MY_LIST(HttpMethod.GET, "/api/me/cloudpcs"),
    USER_LIST(HttpMethod.GET, "/api/users/" + SandboxSeed.ADELE.id() + "/cloudpcs"),
    TENANT_LIST(HttpMethod.GET, "/api/cloudpcs");

    final HttpMethod method;
    final String uri;

    Route(HttpMethod method, String uri) {
      this.method = method;
      this.uri = uri;
    }
  }

  private final SandboxTenant tenant;
  private final Forge forge;
  private final String handoverSecret;
  private int requests;

  HostileCatalog(SandboxTenant tenant, Forge forge, String handoverSecret) {
    this.tenant = tenant;
    this.forge = forge;
    this.handoverSecret = handoverSecret;
  }

  List<HostileCase> hostile() {
    List<HostileCase> all = new ArrayList<>();
    all.addAll(tokenFaults());
    all.addAll(authorization());
    all.addAll(easyAuth());
    all.addAll(functionKeysAndHandover());
    all.addAll(paths());
    all.addAll(bodies());
    all.addAll(methods());
    return all;
  }

  // ---- 401: the token itself is wrong, on every guarded route ----

  /** An Authorization header (null: none) and what the refusal must say, proving which check caught it. */
  private record Fault(String authorization, String why) {
  }

  private static Fault bearer(String token, String why) {
    return new Fault("Bearer " + token, why);
  }

  private List<HostileCase> tokenFaults() {
    JsonObject valid = forge.user(SandboxSeed.ADELE, List.of(SELF_SCOPE), List.of(ADMIN_ROLE));
    long now = Instant.now().getEpochSecond();
    PublicKey tenantKey = forge.tenantPublicKey();
    String pem = "-----BEGIN PUBLIC KEY-----\n" + Base64.getMimeEncoder().encodeToString(tenantKey.getEncoded())
        + "\n-----END PUBLIC KEY-----\n";
    String kid = forge.currentKid();
    String unknownKid = "kid-" + UUID.randomUUID();
    JsonObject withoutAdminRole = forge.user(SandboxSeed.ADELE, List.of(SELF_SCOPE), List.of());

    String signatureInvalid = "signature is not valid";
    String unknownKey = "not one of the tenant's current signing keys";
    String notBearer = "must be 'Bearer <token>'";
    Map<String, Fault> faults = new LinkedHashMap<>();
    faults.put("no Authorization header", new Fault(null, "needs 'Authorization: Bearer <token>'"));
    faults.put("garbled token", new Fault("Bearer this-is-not-a-jwt", "not a signed JWT"));
    faults.put("three garbage parts", new Fault("Bearer a1b2c3d4.e5f6a7b8.c9d0e1f2", "not a well-formed JWT"));
    faults.put("five parts (JWE shape)", bearer(forge.sign(valid) + ".AAAA.BBBB", "not a signed JWT"));
    faults.put("Bearer with an empty token", new Fault("Bearer ", notBearer));
    faults.put("Bearer with blanks only", new Fault("Bearer     ", notBearer));
    faults.put("Basic scheme", new Fault("Basic " + Base64.getEncoder().encodeToString(
        "admin:hunter2".getBytes(StandardCharsets.UTF_8)), notBearer));
    faults.put("token without scheme", new Fault(forge.sign(valid), notBearer));
    faults.put("alg none", bearer(forge.sign(new JsonObject().put("alg", "none").put("typ", "JWT"), valid),
        "algorithm 'none'"));
    faults.put("alg none with kid", bearer(forge.sign(forge.header().put("alg", "none"), valid),
        "algorithm 'none'"));
    faults.put("HS256 keyed with the public key (DER)", bearer(Jws.hs256(valid, kid, tenantKey.getEncoded()),
        "algorithm 'HS256'"));
    faults.put("HS256 keyed with the public key (PEM)", bearer(Jws.hs256(valid, kid,
        pem.getBytes(StandardCharsets.US_ASCII)), "algorithm 'HS256'"));
    faults.put("RS512 header on an RS256 signature", bearer(forge.sign(forge.header().put("alg", "RS512"), valid),
        "algorithm 'RS512'"));
    faults.put("PS256 header", bearer(forge.sign(forge.header().put("alg", "PS256"), valid), "algorithm 'PS256'"));
    faults.put("tampered payload (admin role added after signing)",
        bearer(Jws.withPayload(forge.sign(withoutAdminRole), valid), signatureInvalid));
    faults.put("signature stripped", bearer(stripSignature(forge.sign(valid)), signatureInvalid));
    faults.put("foreign key under the tenant's kid", bearer(forge.foreign(forge.header(), valid), signatureInvalid));
    faults.put("foreign key under an unknown kid", bearer(forge.foreign(forge.header().put("kid", unknownKid),
        valid), unknownKey));
    faults.put("foreign key announced in jku and jwk headers", bearer(forge.foreign(forge.header()
        .put("kid", "attacker").put("jku", "http://127.0.0.1:1/keys")
        .put("jwk", new JsonObject().put("kty", "RSA").put("kid", "attacker")), valid), unknownKey));
    faults.put("tenant key under an unknown kid", bearer(forge.sign(forge.header().put("kid", unknownKid), valid),
        unknownKey));
    faults.put("no kid", bearer(forge.sign(new JsonObject().put("alg", "RS256").put("typ", "JWT"), valid),
        "no 'kid'"));
    faults.put("expired beyond the clock skew", bearer(forge.sign(with(valid, c -> c.put("exp", now - 300)
        .put("nbf", now - 3900).put("iat", now - 3900))), "expired"));
    faults.put("no exp", bearer(forge.sign(without(valid, "exp")), "expired"));
    faults.put("nbf in the future", bearer(forge.sign(with(valid, c -> c.put("nbf", now + 600))), "not valid yet"));
    faults.put("audience of another API", bearer(forge.sign(with(valid,
        c -> c.put("aud", UUID.randomUUID().toString()))), "audience"));
    faults.put("audience https://graph.microsoft.com (tenant-signed)", bearer(forge.sign(with(valid,
        c -> c.put("aud", "https://graph.microsoft.com"))), "audience"));
    faults.put("audience of the sandbox Graph", bearer(forge.sign(with(valid,
        c -> c.put("aud", tenant.graphBaseUrl().toString()))), "audience"));
    faults.put("audience api://other-app", bearer(forge.sign(with(valid, c -> c.put("aud", "api://other-app"))),
        "audience"));
    faults.put("no audience", bearer(forge.sign(without(valid, "aud")), "audience"));
    faults.put("issuer of another host", bearer(forge.sign(with(valid,
        c -> c.put("iss", "https://evil.example/" + tenant.tenantId() + "/v2.0"))), "issuer"));
    faults.put("issuer of another tenant", bearer(forge.sign(with(valid,
        c -> c.put("iss", tenant.identityBaseUrl() + "/" + OTHER_TENANT + "/v2.0"))), "issuer"));
    faults.put("v1 issuer of another tenant", bearer(forge.sign(with(valid,
        c -> c.put("iss", "https://sts.windows.net/" + OTHER_TENANT + "/"))), "issuer"));
    faults.put("public-cloud issuer while the authority is the sandbox", bearer(forge.sign(with(valid,
        c -> c.put("iss", "https://login.microsoftonline.com/" + tenant.tenantId() + "/v2.0"))), "issuer"));
    faults.put("tid of another tenant", bearer(forge.sign(with(valid, c -> c.put("tid", OTHER_TENANT))),
        "another tenant"));
    faults.put("no tid", bearer(forge.sign(without(valid, "tid")), "another tenant"));
    faults.put("no oid", bearer(forge.sign(without(valid, "oid")), "'oid'"));
    // Malformed or incomplete claims, correctly signed: each a 401 naming the claim, never a 500.
    faults.put("no iss", bearer(forge.sign(without(valid, "iss")), "issuer"));
    faults.put("iss a number", bearer(forge.sign(with(valid, c -> c.put("iss", 42))), "'iss' claim is not a string"));
    faults.put("iss an array", bearer(forge.sign(with(valid, c -> c.put("iss", new JsonArray().add(
        valid.getString("iss"))))), "'iss' claim is not a string"));
    faults.put("aud a number", bearer(forge.sign(with(valid, c -> c.put("aud", 7))), "audience"));
    faults.put("aud an object", bearer(forge.sign(with(valid, c -> c.put("aud", new JsonObject()
        .put("aud", valid.getValue("aud"))))), "audience"));
    faults.put("aud an array with a number", bearer(forge.sign(with(valid, c -> c.put("aud", new JsonArray()
        .add(valid.getValue("aud")).add(1)))), "'aud' claim is not a list of strings"));
    faults.put("tid a number", bearer(forge.sign(with(valid, c -> c.put("tid", 1))), "'tid' claim is not a string"));
    faults.put("oid an object", bearer(forge.sign(with(valid, c -> c.put("oid", new JsonObject()))),
        "'oid' claim is not a string"));
    faults.put("oid null", bearer(forge.sign(with(valid, c -> c.putNull("oid"))), "'oid'"));
    faults.put("exp a string", bearer(forge.sign(with(valid, c -> c.put("exp", Long.toString(now + 3600)))),
        "'exp' claim is not a number"));
    faults.put("exp a boolean", bearer(forge.sign(with(valid, c -> c.put("exp", true))),
        "'exp' claim is not a number"));
    faults.put("nbf a string", bearer(forge.sign(with(valid, c -> c.put("nbf", "yesterday"))),
        "'nbf' claim is not a number"));
    faults.put("iat an array", bearer(forge.sign(with(valid, c -> c.put("iat", new JsonArray().add(now)))),
        "'iat' claim is not a number"));
    faults.put("roles a string", bearer(forge.sign(with(valid, c -> c.put("roles", ADMIN_ROLE))),
        "'roles' claim is not a list of strings"));
    faults.put("roles with an object", bearer(forge.sign(with(valid, c -> c.put("roles", new JsonArray()
        .add(ADMIN_ROLE).add(new JsonObject())))), "'roles' claim is not a list of strings"));
    faults.put("scp an array", bearer(forge.sign(with(valid, c -> c.put("scp", new JsonArray().add(SELF_SCOPE)))),
        "'scp' claim is not a string"));
    faults.put("upn a number", bearer(forge.sign(with(valid, c -> without(c.put("upn", 5), "preferred_username"))),
        "'upn' claim is not a string"));
    String[] parts = forge.sign(valid).split("\\.");
    faults.put("claims a JSON array", bearer(parts[0] + "." + Base64.getUrlEncoder().withoutPadding()
        .encodeToString("[1,2]".getBytes(StandardCharsets.UTF_8)) + "." + parts[2], "not a well-formed JWT"));
    faults.put("header alg a number", bearer(forge.sign(forge.header().put("alg", 256), valid), "algorithm '256'"));
    faults.put("header kid a number", bearer(forge.sign(forge.header().put("kid", 7), valid), "no 'kid'"));
    faults.put("header not JSON", bearer("bm90IGpzb24." + parts[1] + "." + parts[2], "not a well-formed JWT"));
    // Larger still is refused before routing (431, headers over 8 KiB: MalformedRequestsTest).
    faults.put("3 KiB of extra claims on a foreign key", bearer(forge.foreign(forge.header(), with(valid,
        c -> c.put("padding", "x".repeat(3 * 1024)))), signatureInvalid));

    List<HostileCase> cases = new ArrayList<>();
    for (Map.Entry<String, Fault> fault : faults.entrySet()) {
      String authorization = fault.getValue().authorization();
      for (Route route : Route.values()) {
        Builder request = request(fault.getKey() + " → " + route, Target.MAIN, route.method, route.uri);
        if (authorization != null) {
          request.authorization(authorization, authorization.replaceFirst("^(Bearer|Basic) +", ""));
        }
        cases.add(request.mentioning(fault.getValue().why()).refused(401, "unauthorized"));
      }
    }
    String token = forge.sign(valid);
    cases.add(request("token in the query string instead of the header", Target.MAIN, HttpMethod.POST,
        Route.ADMIN.uri + "?access_token=" + token).secret(token).mentioning("needs 'Authorization: Bearer <token>'")
        .refused(401, "unauthorized"));
    return cases;
  }

  // ---- 403: a valid caller without the right to do this ----

  private List<HostileCase> authorization() {
    String appWithoutRole = forge.sign(forge.app(List.of()));
    String appWithOtherRole = forge.sign(forge.app(List.of("CloudPC.Read.All")));
    String appWithScopeNameAsRole = forge.sign(forge.app(List.of(SELF_SCOPE)));
    String appWithRoleInWrongCase = forge.sign(forge.app(List.of(ADMIN_ROLE.toLowerCase(Locale.ROOT))));
    String adele = forge.sign(forge.user(SandboxSeed.ADELE, List.of(SELF_SCOPE), List.of()));
    String adeleWithoutScope = forge.sign(forge.user(SandboxSeed.ADELE, List.of("User.Read"), List.of()));
    String adeleWithRoleAsScope = forge.sign(forge.user(SandboxSeed.ADELE, List.of(ADMIN_ROLE), List.of()));
    String adeleClaimingMegansName = forge.sign(with(forge.user(SandboxSeed.ADELE, List.of(SELF_SCOPE), List.of()),
        c -> c.put("upn", SandboxSeed.MEGAN.userPrincipalName())
            .put("preferred_username", SandboxSeed.MEGAN.userPrincipalName())
            .put("unique_name", SandboxSeed.MEGAN.userPrincipalName())));
    String megansPcAsAdmin = "/api/cloudpcs/" + MEGAN_PC + "/reprovision";

    List<HostileCase> cases = new ArrayList<>();
    for (Route route : List.of(Route.ADMIN, Route.USERS, Route.STATUS, Route.USER_LIST, Route.TENANT_LIST)) {
      cases.add(request("app token without any role → " + route, Target.MAIN, route.method, route.uri)
          .bearer(appWithoutRole).mentioning(ADMIN_ROLE).refused(403, "missing-permission"));
      cases.add(request("app token with another role → " + route, Target.MAIN, route.method, route.uri)
          .bearer(appWithOtherRole).mentioning(ADMIN_ROLE).refused(403, "missing-permission"));
    }
    cases.add(request("app token with the scope's name as a role → ADMIN", Target.MAIN, HttpMethod.POST,
        Route.ADMIN.uri).bearer(appWithScopeNameAsRole).mentioning(ADMIN_ROLE).refused(403, "missing-permission"));
    cases.add(request("app token with the admin role in the wrong case → ADMIN", Target.MAIN, HttpMethod.POST,
        Route.ADMIN.uri).bearer(appWithRoleInWrongCase).mentioning(ADMIN_ROLE).refused(403, "missing-permission"));
    cases.add(request("admin app token on the me route", Target.MAIN, HttpMethod.POST, Route.ME.uri)
        .bearer(forge.sign(forge.app(List.of(ADMIN_ROLE)))).refused(403, "missing-permission"));
    cases.add(request("admin app token on the my-list route", Target.MAIN, HttpMethod.GET, Route.MY_LIST.uri)
        .bearer(forge.sign(forge.app(List.of(ADMIN_ROLE)))).refused(403, "missing-permission"));
    for (Route route : List.of(Route.ME, Route.USERS, Route.STATUS, Route.MY_LIST, Route.USER_LIST)) {
      cases.add(request("user token without the self scope → " + route, Target.MAIN, route.method, route.uri)
          .bearer(adeleWithoutScope).mentioning(SELF_SCOPE).refused(403, "missing-permission"));
    }
    cases.add(request("user with the self scope on the admin route", Target.MAIN, HttpMethod.POST, Route.ADMIN.uri)
        .bearer(adele).mentioning(ADMIN_ROLE).refused(403, "missing-permission"));
    cases.add(request("user on another user's PC via the admin route", Target.MAIN, HttpMethod.POST,
        megansPcAsAdmin).bearer(adele).mentioning(ADMIN_ROLE).refused(403, "missing-permission"));
    cases.add(request("user with the admin role's name as a scope on the admin route", Target.MAIN,
        HttpMethod.POST, Route.ADMIN.uri).bearer(adeleWithRoleAsScope).mentioning(ADMIN_ROLE)
        .refused(403, "missing-permission"));
    cases.add(request("user on another user's PC via the me route", Target.MAIN, HttpMethod.POST,
        "/api/me/cloudpcs/" + MEGAN_PC + "/reprovision").bearer(adele).lookups()
        .refused(403, "not-your-cloud-pc"));
    cases.add(request("user whose upn claims say Megan, on Megan's PC via the me route", Target.MAIN,
        HttpMethod.POST, "/api/me/cloudpcs/" + MEGAN_PC + "/reprovision").bearer(adeleClaimingMegansName)
        .lookups().refused(403, "not-your-cloud-pc"));
    cases.add(request("user acting for another user's object id", Target.MAIN, HttpMethod.POST,
        usersRoute(SandboxSeed.MEGAN.id(), MEGAN_PC)).bearer(adele).refused(403, "not-your-cloud-pc"));
    cases.add(request("user acting for another user's object id in upper case", Target.MAIN, HttpMethod.POST,
        usersRoute(SandboxSeed.MEGAN.id().toUpperCase(Locale.ROOT), MEGAN_PC)).bearer(adele)
        .refused(403, "not-your-cloud-pc"));
    cases.add(request("user acting for another user's UPN", Target.MAIN, HttpMethod.POST,
        usersRoute(SandboxSeed.MEGAN.userPrincipalName(), MEGAN_PC)).bearer(adele).lookups()
        .refused(403, "not-your-cloud-pc"));
    cases.add(request("user for themself but on another user's PC (object id)", Target.MAIN, HttpMethod.POST,
        usersRoute(SandboxSeed.ADELE.id(), MEGAN_PC)).bearer(adele).lookups().refused(403, "not-your-cloud-pc"));
    cases.add(request("user for themself but on another user's PC (UPN)", Target.MAIN, HttpMethod.POST,
        usersRoute(SandboxSeed.ADELE.userPrincipalName(), MEGAN_PC)).bearer(adele).lookups()
        .refused(403, "not-your-cloud-pc"));
    cases.add(request("user with the self scope on the tenant list", Target.MAIN, HttpMethod.GET,
        Route.TENANT_LIST.uri).bearer(adele).mentioning("GET /api/me/cloudpcs").refused(403, "missing-permission"));
    cases.add(request("user listing another user's Cloud PCs by object id", Target.MAIN, HttpMethod.GET,
        "/api/users/" + SandboxSeed.MEGAN.id() + "/cloudpcs").bearer(adele).refused(403, "not-your-cloud-pc"));
    cases.add(request("user listing another user's Cloud PCs by UPN", Target.MAIN, HttpMethod.GET,
        "/api/users/" + SandboxSeed.MEGAN.userPrincipalName() + "/cloudpcs").bearer(adele).lookups()
        .refused(403, "not-your-cloud-pc"));
    cases.add(request("user reading another user's PC status", Target.MAIN, HttpMethod.GET,
        "/api/cloudpcs/" + MEGAN_PC).bearer(adele).lookups().refused(403, "not-your-cloud-pc"));
    return cases;
  }

  // ---- Easy Auth: ignored unless the platform vouches for it, and never over a Bearer token ----

  private List<HostileCase> easyAuth() {
    String adminPrincipal = principal(tenant.tenantId(), UUID.randomUUID().toString(), List.of(ADMIN_ROLE), null);
    String adelePrincipal = principal(tenant.tenantId(), SandboxSeed.ADELE.id(), List.of(), SELF_SCOPE);
    String adele = forge.sign(forge.user(SandboxSeed.ADELE, List.of(SELF_SCOPE), List.of()));
    List<HostileCase> cases = new ArrayList<>();
    for (Route route : Route.values()) {
      cases.add(request("spoofed Easy Auth admin principal, platform auth off → " + route, Target.MAIN,
          route.method, route.uri).header("X-MS-CLIENT-PRINCIPAL", adminPrincipal).refused(401, "unauthorized"));
    }
    cases.add(request("spoofed Easy Auth user principal, platform auth off → ME", Target.MAIN, HttpMethod.POST,
        Route.ME.uri).header("X-MS-CLIENT-PRINCIPAL", adelePrincipal)
        .header("X-MS-CLIENT-PRINCIPAL-ID", SandboxSeed.ADELE.id()).refused(401, "unauthorized"));
    cases.add(request("Easy Auth admin principal does not rescue a garbled Bearer token", Target.EASY_AUTH,
        HttpMethod.POST, Route.ADMIN.uri).header("X-MS-CLIENT-PRINCIPAL", adminPrincipal)
        .authorization("Bearer not-a-token", "not-a-token").refused(401, "unauthorized"));
    cases.add(request("Easy Auth admin principal does not lift a user's Bearer token", Target.EASY_AUTH,
        HttpMethod.POST, Route.ADMIN.uri).header("X-MS-CLIENT-PRINCIPAL", adminPrincipal).bearer(adele)
        .mentioning(ADMIN_ROLE).refused(403, "missing-permission"));
    cases.add(request("Easy Auth user principal on the admin route", Target.EASY_AUTH, HttpMethod.POST,
        Route.ADMIN.uri).header("X-MS-CLIENT-PRINCIPAL", adelePrincipal).mentioning(ADMIN_ROLE)
        .refused(403, "missing-permission"));
    cases.add(request("Easy Auth user principal on another user's PC", Target.EASY_AUTH, HttpMethod.POST,
        "/api/me/cloudpcs/" + MEGAN_PC + "/reprovision").header("X-MS-CLIENT-PRINCIPAL", adelePrincipal)
        .lookups().refused(403, "not-your-cloud-pc"));
    cases.add(request("Easy Auth principal of another tenant", Target.EASY_AUTH, HttpMethod.POST, Route.ADMIN.uri)
        .header("X-MS-CLIENT-PRINCIPAL", principal(OTHER_TENANT, UUID.randomUUID().toString(),
            List.of(ADMIN_ROLE), null)).refused(401, "unauthorized"));
    cases.add(request("Easy Auth principal for another API's audience", Target.EASY_AUTH, HttpMethod.POST,
        Route.ADMIN.uri).header("X-MS-CLIENT-PRINCIPAL", principal(tenant.tenantId(), UUID.randomUUID().toString(),
        List.of(ADMIN_ROLE), null, "https://graph.microsoft.com")).refused(401, "unauthorized"));
    cases.add(request("Easy Auth principal without an object id", Target.EASY_AUTH, HttpMethod.POST,
        Route.ADMIN.uri).header("X-MS-CLIENT-PRINCIPAL", principal(tenant.tenantId(), null, List.of(ADMIN_ROLE),
        null)).refused(401, "unauthorized"));
    cases.add(request("Easy Auth principal that is not base64", Target.EASY_AUTH, HttpMethod.POST, Route.ADMIN.uri)
        .header("X-MS-CLIENT-PRINCIPAL", "{\"claims\":[]}!").refused(401, "unauthorized"));
    cases.add(request("Easy Auth principal that is base64 of no JSON", Target.EASY_AUTH, HttpMethod.POST,
        Route.ADMIN.uri).header("X-MS-CLIENT-PRINCIPAL", Base64.getEncoder().encodeToString(
        "admin=true".getBytes(StandardCharsets.UTF_8))).refused(401, "unauthorized"));
    return cases;
  }

  // ---- the function key and the Functions host's hand-over headers ----

  private List<HostileCase> functionKeysAndHandover() {
    String admin = forge.sign(forge.app(List.of(ADMIN_ROLE)));
    String key = tenant.functionKey();
    List<HostileCase> cases = new ArrayList<>();
    for (Route route : Route.values()) {
      cases.add(request("no function key → " + route, Target.MAIN, route.method, route.uri)
          .withoutHeader("x-functions-key").bearer(admin).refused(401, "function-key-required"));
    }
    cases.add(request("wrong function key header", Target.MAIN, HttpMethod.POST, Route.ADMIN.uri)
        .header("x-functions-key", key + "x").bearer(admin).refused(401, "function-key-required"));
    cases.add(request("empty function key header", Target.MAIN, HttpMethod.POST, Route.ADMIN.uri)
        .header("x-functions-key", "").bearer(admin).refused(401, "function-key-required"));
    cases.add(request("function key in a misspelt header", Target.MAIN, HttpMethod.POST, Route.ADMIN.uri)
        .withoutHeader("x-functions-key").header("x-function-key", key).bearer(admin)
        .refused(401, "function-key-required"));
    cases.add(request("wrong ?code=", Target.MAIN, HttpMethod.POST, Route.ADMIN.uri + "?code=" + key.substring(1))
        .withoutHeader("x-functions-key").bearer(admin).refused(401, "function-key-required"));
    cases.add(request("spoofed hand-over headers instead of a function key", Target.MAIN, HttpMethod.POST,
        Route.ADMIN.uri).withoutHeader("x-functions-key").bearer(admin).header(Handover.KEY_VERIFIED, "true")
        .header(Handover.SECRET, "guessed").refused(401, "function-key-required"));
    cases.add(request("key-only opt-in: no key, spoofed hand-over headers", Target.KEY_ONLY, HttpMethod.POST,
        Route.ADMIN.uri).withoutHeader("x-functions-key").header(Handover.KEY_VERIFIED, "true")
        .header(Handover.SECRET, "guessed").header(Handover.INVOCATION_ID, "spoofed")
        .refused(401, "function-key-required"));
    cases.add(request("key-only opt-in: wrong key, spoofed hand-over headers", Target.KEY_ONLY, HttpMethod.POST,
        Route.ADMIN.uri).header("x-functions-key", "wrong-key-0123456789").header(Handover.KEY_VERIFIED, "true")
        .refused(401, "function-key-required"));
    cases.add(request("key-only opt-in: the right key does not rescue a garbled token", Target.KEY_ONLY,
        HttpMethod.POST, Route.ADMIN.uri).authorization("Bearer garbage.garbage", "garbage.garbage")
        .refused(401, "unauthorized"));
    cases.add(request("key-only opt-in: the right key does not lift a user token", Target.KEY_ONLY,
        HttpMethod.POST, Route.ADMIN.uri).bearer(forge.sign(forge.user(SandboxSeed.ADELE, List.of(SELF_SCOPE),
        List.of()))).mentioning(ADMIN_ROLE).refused(403, "missing-permission"));
    cases.add(request("key-only caller on the me route", Target.KEY_ONLY, HttpMethod.POST, Route.ME.uri)
        .refused(403, "missing-permission"));
    cases.add(request("hand-over: key-verified without the secret", Target.HANDOVER, HttpMethod.POST,
        Route.ADMIN.uri).header(Handover.KEY_VERIFIED, "true").refused(401, "unauthorized"));
    cases.add(request("hand-over: key-verified with a wrong secret", Target.HANDOVER, HttpMethod.POST,
        Route.ADMIN.uri).header(Handover.KEY_VERIFIED, "true").header(Handover.SECRET, handoverSecret + "x")
        .refused(401, "unauthorized"));
    cases.add(request("hand-over: the right secret but key not verified", Target.HANDOVER, HttpMethod.POST,
        Route.ADMIN.uri).header(Handover.SECRET, handoverSecret).header(Handover.KEY_VERIFIED, "false")
        .secret(handoverSecret).refused(401, "unauthorized"));
    return cases;
  }

  // ---- 400/404: path tricks, sent raw ----

  private List<HostileCase> paths() {
    String admin = forge.sign(forge.app(List.of(ADMIN_ROLE)));
    Map<String, String> pathNotAllowed = new LinkedHashMap<>();
    pathNotAllowed.put("%2F in the id", "/api/cloudpcs/" + ADELE_PC + "%2Fx/reprovision");
    pathNotAllowed.put("%2f before the action", "/api/cloudpcs/" + ADELE_PC + "%2freprovision");
    pathNotAllowed.put("%2F after the action", "/api/cloudpcs/" + ADELE_PC + "/reprovision%2F");
    pathNotAllowed.put("%2e%2e segment", "/api/cloudpcs/%2e%2e/cloudpcs/" + ADELE_PC + "/reprovision");
    pathNotAllowed.put("%2E%2E as the id", "/api/cloudpcs/%2E%2E/reprovision");
    pathNotAllowed.put("raw .. segment", "/api/users/../cloudpcs/" + ADELE_PC + "/reprovision");
    pathNotAllowed.put("raw .. at the end", "/api/cloudpcs/" + ADELE_PC + "/reprovision/..");
    pathNotAllowed.put("raw . segment", "/api/me/cloudpcs/./" + ADELE_PC + "/reprovision");
    pathNotAllowed.put("%2e as the id", "/api/me/cloudpcs/%2e/reprovision");
    pathNotAllowed.put("%00 after the id", "/api/cloudpcs/" + ADELE_PC + "%00/reprovision");
    pathNotAllowed.put("encoded CR LF", "/api/cloudpcs/" + ADELE_PC + "%0d%0aX-Injected:%201/reprovision");
    pathNotAllowed.put("encoded DEL", "/api/cloudpcs/" + ADELE_PC + "%7f/reprovision");
    pathNotAllowed.put("leading //", "//api/cloudpcs/" + ADELE_PC + "/reprovision");
    pathNotAllowed.put("empty segment", "/api/cloudpcs//" + ADELE_PC + "/reprovision");
    pathNotAllowed.put("raw backslash", "/api/cloudpcs/" + ADELE_PC + "\\reprovision");
    pathNotAllowed.put("%5c backslash", "/api/cloudpcs/" + ADELE_PC + "%5creprovision");
    pathNotAllowed.put("UPN with an encoded slash on the users route", "/api/users/adele.vance%40contoso.sandbox"
        + "%2F..%2F" + SandboxSeed.MEGAN.id() + "/cloudpcs/" + ADELE_PC + "/reprovision");
    Map<String, String> badCloudPcId = new LinkedHashMap<>();
    badCloudPcId.put("non-GUID id", "/api/cloudpcs/not-a-guid/reprovision");
    badCloudPcId.put("GUID with a trailing character", "/api/cloudpcs/" + ADELE_PC + "0/reprovision");
    badCloudPcId.put("GUID in braces", "/api/cloudpcs/%7B" + ADELE_PC + "%7D/reprovision");
    badCloudPcId.put("matrix parameter after the id", "/api/cloudpcs/" + ADELE_PC + ";v=1/reprovision");
    badCloudPcId.put("double-encoded dot segment", "/api/cloudpcs/%252e%252e/reprovision");
    badCloudPcId.put("overlong UTF-8 dots", "/api/cloudpcs/%c0%ae%c0%ae/reprovision");
    badCloudPcId.put("encoded space after the id", "/api/cloudpcs/" + ADELE_PC + "%20/reprovision");
    badCloudPcId.put("non-GUID id on the me route", "/api/me/cloudpcs/12345/reprovision");
    badCloudPcId.put("non-GUID id on the status route", "/api/cloudpcs/*");

    List<HostileCase> cases = new ArrayList<>();
    pathNotAllowed.forEach((name, uri) -> cases.add(request("path: " + name, Target.MAIN, HttpMethod.POST, uri)
        .bearer(admin).refused(400, "path-not-allowed")));
    badCloudPcId.forEach((name, uri) -> cases.add(request("path: " + name, Target.MAIN,
        uri.endsWith("/reprovision") ? HttpMethod.POST : HttpMethod.GET, uri).bearer(admin)
        .refused(400, "invalid-cloud-pc-id")));
    cases.add(request("path: userId that is neither GUID nor UPN", Target.MAIN, HttpMethod.POST,
        usersRoute("not%20a%20user", ADELE_PC)).bearer(admin).refused(400, "invalid-user-id"));
    cases.add(request("path: userId with a query smuggled into the domain", Target.MAIN, HttpMethod.POST,
        usersRoute("adele.vance@contoso.sandbox%3F%24select%3Did", ADELE_PC)).bearer(admin)
        .refused(400, "invalid-user-id"));
    return cases;
  }

  // ---- 400/413/415: bodies ----

  private List<HostileCase> bodies() {
    String admin = forge.sign(forge.app(List.of(ADMIN_ROLE)));
    String adele = forge.sign(forge.user(SandboxSeed.ADELE, List.of(SELF_SCOPE), List.of()));
    String oversized = "{\"osVersion\":\"windows11\",\"pad\":\"" + "x".repeat(17 * 1024) + "\"}";
    List<HostileCase> cases = new ArrayList<>();
    cases.add(body("oversized body (17 KiB)", Route.ADMIN, admin).json(oversized).refused(413, "body-too-large"));
    cases.add(body("oversized chunked body", Route.ADMIN, admin).json(oversized).chunked()
        .refused(413, "body-too-large"));
    cases.add(body("oversized body on the me route", Route.ME, adele).json(oversized)
        .refused(413, "body-too-large"));
    cases.add(body("malformed JSON", Route.ADMIN, admin).json("{\"osVersion\":").refused(400, "body-not-json"));
    cases.add(body("JSON with trailing garbage", Route.ADMIN, admin).json("{\"osVersion\":\"windows11\"} x")
        .refused(400, "body-not-json"));
    cases.add(body("JSON array", Route.ADMIN, admin).json("[{\"osVersion\":\"windows11\"}]")
        .refused(400, "body-not-an-object"));
    cases.add(body("JSON string", Route.ADMIN, admin).json("\"windows11\"").refused(400, "body-not-an-object"));
    cases.add(body("JSON null", Route.ADMIN, admin).json("null").refused(400, "body-not-an-object"));
    cases.add(body("unknown field osversion", Route.ADMIN, admin).json("{\"osversion\":\"windows10\"}")
        .mentioning("osversion").refused(400, "unknown-field"));
    cases.add(body("unknown field next to a valid one", Route.ADMIN, admin)
        .json("{\"osVersion\":\"windows10\",\"force\":true}").mentioning("force").refused(400, "unknown-field"));
    cases.add(body("enum value Windows11", Route.ADMIN, admin).json("{\"osVersion\":\"Windows11\"}")
        .mentioning("windows11").refused(400, "invalid-field-value"));
    cases.add(body("enum value unknownFutureValue", Route.ADMIN, admin)
        .json("{\"osVersion\":\"unknownFutureValue\"}").refused(400, "invalid-field-value"));
    cases.add(body("enum value Administrator", Route.ADMIN, admin).json("{\"userAccountType\":\"Administrator\"}")
        .mentioning("administrator").refused(400, "invalid-field-value"));
    cases.add(body("number instead of string", Route.ADMIN, admin).json("{\"osVersion\":11}")
        .refused(400, "invalid-field-value"));
    cases.add(body("array instead of string", Route.ADMIN, admin).json("{\"osVersion\":[\"windows11\"]}")
        .refused(400, "invalid-field-value"));
    cases.add(body("object instead of string", Route.ADMIN, admin).json("{\"osVersion\":{\"$ne\":null}}")
        .refused(400, "invalid-field-value"));
    cases.add(body("body on the me route", Route.ME, adele).json("{\"osVersion\":\"windows11\"}")
        .refused(400, "body-not-allowed"));
    cases.add(body("body on the users route", Route.USERS, adele).json("{\"userAccountType\":\"administrator\"}")
        .refused(400, "body-not-allowed"));
    cases.add(body("text body on the me route", Route.ME, adele).body("text/plain", "please")
        .refused(415, "unsupported-media-type"));
    cases.add(body("text/plain body", Route.ADMIN, admin).body("text/plain", "{\"osVersion\":\"windows11\"}")
        .refused(415, "unsupported-media-type"));
    cases.add(body("XML body", Route.ADMIN, admin).body("application/xml", "<osVersion>windows11</osVersion>")
        .refused(415, "unsupported-media-type"));
    cases.add(body("form body", Route.ADMIN, admin).body("application/x-www-form-urlencoded",
        "osVersion=windows11").refused(415, "unsupported-media-type"));
    cases.add(body("multipart body (its fields would be parsed away)", Route.ADMIN, admin)
        .body("multipart/form-data; boundary=b", "--b\r\nContent-Disposition: form-data; name=\"osVersion\"\r\n\r\n"
            + "windows11\r\n--b--\r\n").mentioning("multipart/form-data").refused(415, "unsupported-media-type"));
    cases.add(body("JSON Patch media type", Route.ADMIN, admin).body("application/json-patch+json",
        "[{\"op\":\"add\",\"path\":\"/osVersion\",\"value\":\"windows11\"}]").refused(415, "unsupported-media-type"));
    cases.add(body("media type that merely starts with application/json", Route.ADMIN, admin)
        .body("application/jsonx", "{\"osVersion\":\"windows11\"}").refused(415, "unsupported-media-type"));
    cases.add(body("form body on the users route", Route.USERS, adele).body("application/x-www-form-urlencoded",
        "osVersion=windows11").refused(415, "unsupported-media-type"));
    cases.add(body("JSON body without a content type", Route.ADMIN, admin).body(null,
        "{\"osVersion\":\"windows11\"}").refused(415, "unsupported-media-type"));
    return cases;
  }

  private Builder body(String name, Route route, String token) {
    return request("body: " + name + " → " + route, Target.MAIN, route.method, route.uri).bearer(token);
  }

  // ---- 404/405: routes and methods ----

  private List<HostileCase> methods() {
    String admin = forge.sign(forge.app(List.of(ADMIN_ROLE)));
    List<HostileCase> cases = new ArrayList<>();
    for (HttpMethod method : List.of(HttpMethod.GET, HttpMethod.PUT, HttpMethod.DELETE, HttpMethod.PATCH,
        HttpMethod.OPTIONS)) {
      cases.add(request("method " + method + " on the admin reprovision route", Target.MAIN, method,
          Route.ADMIN.uri).bearer(admin).refused(405, "method-not-allowed"));
    }
    cases.add(request("method GET on the me route", Target.MAIN, HttpMethod.GET, Route.ME.uri).bearer(admin)
        .refused(405, "method-not-allowed"));
    cases.add(request("method DELETE on the users route", Target.MAIN, HttpMethod.DELETE, Route.USERS.uri)
        .bearer(admin).refused(405, "method-not-allowed"));
    cases.add(request("method POST on the status route", Target.MAIN, HttpMethod.POST, Route.STATUS.uri)
        .bearer(admin).refused(405, "method-not-allowed"));
    cases.add(request("method DELETE on the status route", Target.MAIN, HttpMethod.DELETE, Route.STATUS.uri)
        .bearer(admin).refused(405, "method-not-allowed"));
    cases.add(request("method POST on the tenant list route", Target.MAIN, HttpMethod.POST, Route.TENANT_LIST.uri)
        .bearer(admin).refused(405, "method-not-allowed"));
    cases.add(request("method DELETE on the my-list route", Target.MAIN, HttpMethod.DELETE, Route.MY_LIST.uri)
        .bearer(admin).refused(405, "method-not-allowed"));
    Map<String, String> unknown = new LinkedHashMap<>();
    unknown.put("action with a suffix", "/api/cloudpcs/" + ADELE_PC + "/reprovisionNow");
    unknown.put("extra segment", "/api/cloudpcs/" + ADELE_PC + "/reprovision/now");
    unknown.put("users route without the PC", "/api/users/" + SandboxSeed.ADELE.id() + "/reprovision");
    unknown.put("upper-case route", "/API/CLOUDPCS/" + ADELE_PC + "/REPROVISION");
    unknown.put("no /api prefix", "/cloudpcs/" + ADELE_PC + "/reprovision");
    unknown.put("bulk route that does not exist", "/api/deviceManagement/virtualEndpoint/bulkActions");
    unknown.forEach((name, uri) -> cases.add(request("unknown route: " + name, Target.MAIN, HttpMethod.POST, uri)
        .bearer(admin).refused(404, "no-such-route")));
    return cases;
  }

  // ---- positive controls: the same checks let these through (as dry runs: nothing is wiped) ----

  List<HostileCase> accepted() {
    long now = Instant.now().getEpochSecond();
    JsonObject admin = forge.app(List.of(ADMIN_ROLE));
    String dry = "?dryRun=true";
    List<HostileCase> cases = new ArrayList<>();
    cases.add(request("admin app token", Target.MAIN, HttpMethod.POST, Route.ADMIN.uri + dry)
        .bearer(forge.sign(admin)).accepted());
    cases.add(request("expired, but within the clock skew", Target.MAIN, HttpMethod.POST, Route.ADMIN.uri + dry)
        .bearer(forge.sign(with(admin, c -> c.put("exp", now - 60).put("nbf", now - 3660).put("iat", now - 3660))))
        .accepted());
    cases.add(request("nbf ahead, but within the clock skew", Target.MAIN, HttpMethod.POST, Route.ADMIN.uri + dry)
        .bearer(forge.sign(with(admin, c -> c.put("nbf", now + 60)))).accepted());
    cases.add(request("v1 issuer with v1 audience (app)", Target.MAIN, HttpMethod.POST, Route.ADMIN.uri + dry)
        .bearer(tenant.identity().mintApplicationToken(SandboxSeed.ADMIN_CALLER_APP_ID, List.of(ADMIN_ROLE),
            TokenVersion.V1, Duration.ofHours(1))).accepted());
    cases.add(request("v1 user token on the me route", Target.MAIN, HttpMethod.POST, Route.ME.uri + dry)
        .bearer(tenant.identity().mintUserToken(SandboxSeed.ADELE, List.of(SELF_SCOPE), List.of(),
            TokenVersion.V1, Duration.ofHours(1))).accepted());
    cases.add(request("user token with the admin role on the admin route", Target.MAIN, HttpMethod.POST,
        "/api/cloudpcs/" + MEGAN_PC + "/reprovision" + dry)
        .bearer(forge.sign(forge.user(SandboxSeed.ADELE, List.of(SELF_SCOPE), List.of(ADMIN_ROLE)))).accepted());
    cases.add(request("user for themself by UPN on the users route", Target.MAIN, HttpMethod.POST,
        usersRoute(SandboxSeed.ADELE.userPrincipalName(), ADELE_PC) + dry)
        .bearer(forge.sign(forge.user(SandboxSeed.ADELE, List.of(SELF_SCOPE), List.of()))).accepted());
    cases.add(request("audience list naming this API among others", Target.MAIN, HttpMethod.POST,
        Route.ADMIN.uri + dry).bearer(forge.sign(with(admin, c -> c.put("aud", new JsonArray()
            .add("https://graph.microsoft.com").add(tenant.clientId()))))).accepted());
    cases.add(request("lower-case bearer scheme", Target.MAIN, HttpMethod.POST, Route.ADMIN.uri + dry)
        .authorization("bearer " + forge.sign(admin), forge.sign(admin)).accepted());
    cases.add(request("function key as ?code=", Target.MAIN, HttpMethod.POST, Route.ADMIN.uri + dry + "&code="
        + tenant.functionKey()).withoutHeader("x-functions-key").bearer(forge.sign(admin)).accepted());
    cases.add(request("Easy Auth admin principal with platform auth on", Target.EASY_AUTH, HttpMethod.POST,
        Route.ADMIN.uri + dry).header("X-MS-CLIENT-PRINCIPAL", principal(tenant.tenantId(),
        UUID.randomUUID().toString(), List.of(ADMIN_ROLE), null)).accepted());
    cases.add(request("Easy Auth user principal on their own PC", Target.EASY_AUTH, HttpMethod.POST,
        Route.ME.uri + dry).header("X-MS-CLIENT-PRINCIPAL", principal(tenant.tenantId(), SandboxSeed.ADELE.id(),
        List.of(), SELF_SCOPE)).accepted());
    cases.add(request("key-only caller with the opt-in and the right key", Target.KEY_ONLY, HttpMethod.POST,
        Route.ADMIN.uri + dry).accepted());
    cases.add(request("hand-over with the right secret and a verified key", Target.HANDOVER, HttpMethod.POST,
        Route.ADMIN.uri + dry).header(Handover.SECRET, handoverSecret).header(Handover.KEY_VERIFIED, "true")
        .secret(handoverSecret).accepted());
    return cases;
  }

  /**
   * A request with the function key (except on the hand-over app, whose key the Functions host checks) and a
   * client-request-id that is a GUID for half the requests and something the app must not echo for the others.
   */
  private Builder request(String name, Target target, HttpMethod method, String uri) {
    Builder builder = new Builder(name, target, method, uri);
    if (target != Target.HANDOVER) {
      builder.header("x-functions-key", tenant.functionKey()).secret(tenant.functionKey());
    }
    int n = requests++;
    return builder.header("client-request-id", n % 2 == 0 ? UUID.randomUUID().toString()
        : ODD_REQUEST_IDS.get(n / 2 % ODD_REQUEST_IDS.size()));
  }

  private static String usersRoute(String userId, String cloudPcId) {
    return "/api/users/" + userId + "/cloudpcs/" + cloudPcId + "/reprovision";
  }

  /** App Service authentication's X-MS-CLIENT-PRINCIPAL: base64 JSON of the validated token's claims. */
  static String principal(String tenantId, String oid, List<String> roles, String scope) {
    return principal(tenantId, oid, roles, scope, "api://" + SandboxOptions.DEFAULT_CLIENT_ID);
  }

  static String principal(String tenantId, String oid, List<String> roles, String scope, String audience) {
    JsonArray claims = new JsonArray().add(claim(CLAIMS + "tenantid", tenantId)).add(claim("aud", audience));
    if (oid != null) {
      claims.add(claim(CLAIMS + "objectidentifier", oid));
    }
    roles.forEach(role -> claims.add(claim("roles", role)));
    if (scope != null) {
      claims.add(claim(CLAIMS + "scope", scope));
    }
    JsonObject principal = new JsonObject().put("auth_typ", "aad").put("claims", claims)
        .put("name_typ", "http://schemas.xmlsoap.org/ws/2005/05/identity/claims/name").put("role_typ", "roles");
    return Base64.getEncoder().encodeToString(principal.encode().getBytes(StandardCharsets.UTF_8));
  }

  private static JsonObject claim(String type, String value) {
    return new JsonObject().put("typ", type).put("val", value);
  }

  private static JsonObject with(JsonObject claims, UnaryOperator<JsonObject> change) {
    return change.apply(claims.copy());
  }

  private static JsonObject without(JsonObject claims, String name) {
    JsonObject copy = claims.copy();
    copy.remove(name);
    return copy;
  }

  private static String stripSignature(String token) {
    return token.substring(0, token.lastIndexOf('.') + 1);
  }
}
