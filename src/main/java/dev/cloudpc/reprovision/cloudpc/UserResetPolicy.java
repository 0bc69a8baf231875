package dev.cloudpc.reprovision.cloudpc;

import dev.cloudpc.reprovision.auth.Caller;
import dev.cloudpc.reprovision.graph.GraphCall;
import dev.cloudpc.reprovision.graph.GraphClient;
import dev.cloudpc.reprovision.request.AuditEvent;
import dev.cloudpc.reprovision.request.Problem;
import dev.cloudpc.reprovision.request.ProblemException;
import dev.cloudpc.reprovision.request.RequestScope;
import io.vertx.core.Future;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.time.Duration;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.slf4j.event.Level;

/**
 * Whether the tenant's Windows 365 user setting lets a user reset (reprovision) their own Cloud PC — the self-service
 * routes must not let an end user do what the administrator's policy forbids them to do in the Windows App.
 *
 * <ul>
 *   <li>The setting: {@code resetEnabled} of a cloudPcUserSetting — "When false, end-user initiated reset isn't
 *       allowed. The default value is false." (api-reference/beta/resources/cloudpcusersetting.md), listed with its
 *       group assignments by {@code GET /deviceManagement/virtualEndpoint/userSettings?$expand=assignments}
 *       (api-reference/beta/api/virtualendpoint-list-usersettings.md; assignments "returned only on $expand";
 *       targets are groups, cloudpcusersettingassignment.md).</li>
 *   <li>Which applies: a user in several assigned groups gets "the most-recently created policy"; "the last time a
 *       policy was updated doesn't affect this priority" (Windows 365 docs, windows-365/enterprise/
 *       assign-users-as-local-admin.md). That rule stands under "Conflict Resolution for Local Admin": Microsoft
 *       documents it for the local-admin flag only. Applying it to {@code resetEnabled} is our policy, by analogy:
 *       both flags live in the same user setting, and the sentence speaks of the setting as a whole ("user settings
 *       will honor the most-recently created policy and ignore all others"). No setting → the default, false.</li>
 *   <li>Membership: {@code POST /users/{id}/checkMemberGroups}, transitive, at most 20 group ids per request
 *       (api-reference/v1.0/api/directoryobject-checkmembergroups.md).</li>
 * </ul>
 * Fails closed: anything that keeps the answer open (a Graph failure, an assignment target that is not a group, a
 * tie between settings created at the same instant) refuses. Decisions are cached per user for {@link #TTL}.
 */
public final class UserResetPolicy {
  private static final Logger LOG = LoggerFactory.getLogger(UserResetPolicy.class);
  static final Duration TTL = Duration.ofSeconds(60);
  private static final int CACHE_MAX = 10_000;
  private static final int GROUPS_PER_CHECK = 20;
  private static final String GROUP_TARGET = "microsoft.graph.cloudPcManagementGroupAssignmentTarget";
  static final String USER_SETTINGS = "/deviceManagement/virtualEndpoint/userSettings?$expand=assignments";

  private final GraphClient graph;
  private final GraphPages pages;
  private final boolean ignored;
  private final ConcurrentHashMap<String, Cached> decisions = new ConcurrentHashMap<>();

  UserResetPolicy(GraphClient graph, GraphPages pages, boolean ignored) {
    this.graph = graph;
    this.pages = pages;
    this.ignored = ignored;
    if (ignored) {
      LOG.warn("AUTH_SELF_SERVICE_IGNORE_RESET_POLICY=true: the self-service routes do NOT check the Windows 365 "
          + "user setting 'Enable users to reset their Cloud PCs' (resetEnabled); every use is audited");
    }
  }

  public static UserResetPolicy create(GraphClient graph, CloudPcDirectory directory, boolean ignored) {
    return new UserResetPolicy(graph, directory.pages(), ignored);
  }

  /** A user setting as far as this decision goes. */
  record UserSetting(String id, String displayName, Instant created, Boolean resetEnabled, Set<String> groupIds,
                     boolean onlyGroupTargets) {

    static UserSetting from(JsonObject json) {
      Instant created;
      try {
        created = json.getValue("createdDateTime") instanceof String s ? Instant.parse(s) : null;
      } catch (DateTimeParseException e) {
        created = null;
      }
      Set<String> groups = new LinkedHashSet<>();
      boolean onlyGroups = true;
      JsonArray assignments = json.getValue("assignments") instanceof JsonArray a ? a : new JsonArray();
      for (Object item : assignments) {
        JsonObject target = item instanceof JsonObject o && o.getValue("target") instanceof JsonObject t ? t : null;
        String groupId = target == null ? null : target.getValue("groupId") instanceof String g ? g : null;
        String type = target == null ? "" : String.valueOf(target.getValue("@odata.type")).replaceFirst("^#", "");
        if (groupId != null && GROUP_TARGET.equalsIgnoreCase(type)) {
          groups.add(groupId.toLowerCase(Locale.ROOT));
        } else {
          onlyGroups = false;
        }
      }
      return new UserSetting(String.valueOf(json.getValue("id")), String.valueOf(json.getValue("displayName")),
          created, json.getValue("resetEnabled") instanceof Boolean b ? b : null, groups, onlyGroups);
    }

    String named() {
      return "'" + displayName + "' (" + id + ")";
    }
  }

  /** Succeeds when the user may reset their own Cloud PC; otherwise a 403 problem naming the setting. */
  public Future<Void> requireResetAllowed(String userId, Caller caller, String cloudPcId, RequestScope scope) {
    if (ignored) {
      Map<String, String> fields = new LinkedHashMap<>();
      fields.put(AuditEvent.EVENT, "reset-policy-ignored");
      fields.put("reason", "AUTH_SELF_SERVICE_IGNORE_RESET_POLICY=true");
      fields.put("userId", userId);
      fields.put("cloudPcId", cloudPcId);
      AuditLog.caller(fields, caller);
      AuditEvent.log(Level.INFO, scope, fields);
      return Future.succeededFuture();
    }
    String key = userId.toLowerCase(Locale.ROOT);
    Cached cached = decisions.get(key);
    Future<Void> decision;
    if (cached != null && !cached.expired()) {
      decision = cached.decision;
    } else {
      decision = decide(userId, scope);
      if (decisions.size() >= CACHE_MAX) {
        decisions.clear(); // crude bound: decisions live a minute and are cheap to redo
      }
      decisions.put(key, new Cached(decision, System.nanoTime() + TTL.toNanos()));
      decision.onFailure(f -> {
        if (!(f instanceof ProblemException p) || !p.problem().slug().equals("reset-not-allowed")) {
          decisions.remove(key); // only Graph's answer is cached, never a failure to get it
        }
      });
    }
    return decision;
  }

  private Future<Void> decide(String userId, RequestScope scope) {
    return pages.all(GraphCall.get(USER_SETTINGS).atVersion(GraphCall.BETA), scope, "listing Windows 365 user "
            + "settings", Set.of())
        .map(items -> items.stream().map(UserSetting::from).toList())
        .compose(settings -> memberOf(userId, settings, scope).compose(groups -> verdict(settings, groups)))
        .recover(failure -> {
          if (failure instanceof ProblemException p && p.problem().status() == 403
              && p.problem().slug().startsWith("reset-")) {
            return Future.failedFuture(failure);
          }
          String why = failure instanceof ProblemException p ? p.problem().detail() : failure.toString();
          return Future.failedFuture(unknown("Graph could not be asked (" + why + ")"));
        });
  }

  /** The assigned groups the user is a (transitive) member of. */
  private Future<Set<String>> memberOf(String userId, List<UserSetting> settings, RequestScope scope) {
    List<String> all = new ArrayList<>(settings.stream().flatMap(s -> s.groupIds().stream())
        .collect(java.util.stream.Collectors.toCollection(LinkedHashSet::new)));
    List<Future<JsonObject>> checks = new ArrayList<>();
    for (int from = 0; from < all.size(); from += GROUPS_PER_CHECK) {
      List<String> chunk = all.subList(from, Math.min(all.size(), from + GROUPS_PER_CHECK));
      GraphCall call = GraphCall.post("/users/" + GraphCall.segment(userId) + "/checkMemberGroups",
          new JsonObject().put("groupIds", new JsonArray(chunk)));
      checks.add(graph.send(call, scope).map(response -> GraphPages.ok(response, call,
          "checking the group memberships of user " + userId)));
    }
    return Future.all(checks).map(done -> {
      Set<String> member = new HashSet<>();
      for (int i = 0; i < done.size(); i++) {
        JsonObject body = done.resultAt(i);
        body.getJsonArray("value", new JsonArray()).forEach(id -> member.add(String.valueOf(id)
            .toLowerCase(Locale.ROOT)));
      }
      return member;
    });
  }

  static Future<Void> verdict(List<UserSetting> settings, Set<String> memberOf) {
    for (UserSetting setting : settings) {
      if (!setting.onlyGroupTargets()) {
        return Future.failedFuture(unknown("user setting " + setting.named() + " is assigned to a target that is "
            + "not a group, so whether it applies to you cannot be told"));
      }
    }
    List<UserSetting> applicable = settings.stream()
        .filter(s -> s.groupIds().stream().anyMatch(memberOf::contains)).toList();
    if (applicable.isEmpty()) {
      return Future.failedFuture(notAllowed(null, "No Windows 365 user setting is assigned to a group you are in, "
          + "and end-user reset is off by default (resetEnabled defaults to false)"));
    }
    if (applicable.stream().anyMatch(s -> s.created() == null)) {
      return Future.failedFuture(unknown("a user setting that applies to you has no creation time, so which one "
          + "wins (the most recently created) cannot be told"));
    }
    Instant newest = applicable.stream().map(UserSetting::created).max(Instant::compareTo).orElseThrow();
    List<UserSetting> winners = applicable.stream().filter(s -> s.created().equals(newest)).toList();
    if (winners.stream().map(s -> Boolean.TRUE.equals(s.resetEnabled())).distinct().count() > 1) {
      return Future.failedFuture(unknown("user settings " + winners.stream().map(UserSetting::named).toList()
          + " apply to you, were created at the same instant and disagree"));
    }
    UserSetting winner = winners.get(0);
    return Boolean.TRUE.equals(winner.resetEnabled()) ? Future.succeededFuture()
        : Future.failedFuture(notAllowed(winner, "The Windows 365 user setting " + winner.named() + " that applies "
            + "to you does not enable 'Enable users to reset their Cloud PCs' (resetEnabled)"));
  }

  private static ProblemException notAllowed(UserSetting setting, String why) {
    return Problem.of(403, "reset-not-allowed", "Forbidden", why + ", so you may not reprovision your own Cloud "
            + "PC. Nothing was sent. Ask an administrator to enable reset for you in Intune → Windows 365 → User "
            + "settings, or to reprovision it for you.")
        .with("userSettingId", setting == null ? null : setting.id())
        .with("userSetting", setting == null ? null : setting.displayName()).exception();
  }

  private static ProblemException unknown(String why) {
    return Problem.of(403, "reset-policy-unknown", "Forbidden", "Whether the Windows 365 user settings let you "
        + "reset your own Cloud PC could not be determined: " + why + ". Nothing was sent; try again later or ask "
        + "an administrator to reprovision it for you.").exception();
  }

  private record Cached(Future<Void> decision, long expiresAtNanos) {
    boolean expired() {
      return System.nanoTime() - expiresAtNanos > 0;
    }
  }
}
