package dev.cloudpc.reprovision.function;

import static org.assertj.core.api.Assertions.assertThat;

import com.microsoft.azure.functions.annotation.AuthorizationLevel;
import com.microsoft.azure.functions.annotation.FunctionName;
import com.microsoft.azure.functions.annotation.HttpTrigger;
import dev.cloudpc.reprovision.http.ApiRoute;
import dev.cloudpc.reprovision.http.ApiRoutes;
import java.lang.reflect.Method;
import java.util.Arrays;
import java.util.Map;
import java.util.function.Function;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;

/** The function entry points and the router's routes are the same list: one function per route, same shape. */
class FunctionRoutesTest {

  @Test
  void oneFunctionPerRouteWithTheSameTemplateMethodAndAuthLevel() {
    Map<String, Method> functions = Arrays.stream(ReprovisionFunctions.class.getDeclaredMethods())
        .filter(m -> m.isAnnotationPresent(FunctionName.class))
        .collect(Collectors.toMap(m -> m.getAnnotation(FunctionName.class).value(), Function.identity()));
    assertThat(functions.keySet()).containsExactlyInAnyOrderElementsOf(
        ApiRoutes.ALL.stream().map(ApiRoute::operationId).toList());
    for (ApiRoute route : ApiRoutes.ALL) {
      HttpTrigger trigger = Arrays.stream(functions.get(route.operationId()).getParameters())
          .map(p -> p.getAnnotation(HttpTrigger.class)).filter(t -> t != null).findFirst().orElseThrow();
      assertThat(trigger.route()).as(route.operationId()).isEqualTo(route.functionRoute());
      assertThat(trigger.methods()).extracting(Enum::name).containsExactly(route.method().name());
      assertThat(trigger.authLevel()).as(route.operationId())
          .isEqualTo(route.anonymous() ? AuthorizationLevel.ANONYMOUS : AuthorizationLevel.FUNCTION);
    }
  }
}
