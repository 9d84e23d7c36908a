package dev.troupe.api;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import jakarta.validation.Valid;
import jakarta.validation.constraints.Email;
import jakarta.validation.constraints.NotBlank;
import jakarta.validation.constraints.NotEmpty;
import jakarta.validation.constraints.Positive;
import java.util.List;
import org.junit.jupiter.api.Test;

/** Bean Validation of bound payloads, with hibernate-validator on the test class path. */
class PayloadBinderBeanValidationTest {
  private static final ObjectMapper MAPPER = new ObjectMapper();

  record Line(@NotBlank String sku, @Positive int qty) {}

  record Cart(@NotEmpty @Valid List<Line> lines, @Email String contact,
      List<@NotBlank String> tags) {}

  private static <T> T bind(String text, Class<T> type, String root) throws Exception {
    return PayloadBinder.of(MAPPER).bind(MAPPER.readTree(text), type, root);
  }

  @Test
  void aValidPayloadBinds() throws Exception {
    // when
    Cart cart = bind("{\"lines\":[{\"sku\":\"a\",\"qty\":2}],\"contact\":\"ada@example.com\"}",
        Cart.class, "payload");
    // then
    assertThat(cart).isEqualTo(new Cart(List.of(new Line("a", 2)), "ada@example.com", null));
  }

  @Test
  void everyViolationIsNamedByItsJsonPathInPathOrder() {
    // given the second line breaks both its constraints, and the contact is not an address
    String payload = "{\"lines\":[{\"sku\":\"a\",\"qty\":1},{\"sku\":\" \",\"qty\":0}],"
        + "\"contact\":\"nobody\"}";
    // when / then
    assertThatThrownBy(() -> bind(payload, Cart.class, "payload"))
        .isInstanceOf(PermanentFailure.class)
        .hasMessage("payload.contact: must be a well-formed email address; "
            + "payload.lines[1].qty: must be greater than 0; "
            + "payload.lines[1].sku: must not be blank");
  }

  @Test
  void aContainerElementIsNamedByItsIndex() {
    // when / then
    assertThatThrownBy(() -> bind("{\"lines\":[{\"sku\":\"a\",\"qty\":1}],\"tags\":[\"x\",\"\"]}",
        Cart.class, "payload"))
        .hasMessage("payload.tags[1]: must not be blank");
  }

  @Test
  void aCheckpointIsNamedAsSuch() {
    // when / then
    assertThatThrownBy(() -> bind("{\"lines\":[]}", Cart.class, "checkpoint"))
        .hasMessage("checkpoint.lines: must not be empty");
  }

  @Test
  void rawJsonIsNotValidated() throws Exception {
    // when
    JsonNode raw = bind("{\"lines\":[]}", JsonNode.class, "payload");
    // then
    assertThat(raw.path("lines").isArray()).isTrue();
  }
}
