package dev.troupe.api;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.annotation.JsonProperty;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.util.List;
import org.junit.jupiter.api.Test;

class PayloadBinderTest {
  private static final ObjectMapper MAPPER = new ObjectMapper();

  record Item(@Required String sku, int qty) {}

  record Order(String id, List<Item> items, @JsonProperty(required = true) String customer) {}

  record Delay(long delayMs) {}

  enum Color { RED, GREEN }

  record Paint(Color color) {}

  private static JsonNode json(String text) throws Exception {
    return MAPPER.readTree(text);
  }

  private static <T> T bind(String text, Class<T> type) throws Exception {
    return PayloadBinder.of(MAPPER).bind(json(text), type, "payload");
  }

  @Test
  void bindsARecordAndIgnoresUnknownFields() throws Exception {
    // given a payload with a field the record does not have
    String payload = "{\"id\":\"o-1\",\"customer\":\"c\",\"items\":[{\"sku\":\"a\",\"qty\":2}],"
        + "\"extra\":true}";
    // when
    Order order = bind(payload, Order.class);
    // then
    assertThat(order).isEqualTo(new Order("o-1", List.of(new Item("a", 2)), "c"));
  }

  @Test
  void aMismatchNamesTheFieldByItsJsonPathAndWhatWasExpected() {
    // given an order whose third item has a quantity that is not a number
    String payload = "{\"customer\":\"c\",\"items\":[{\"sku\":\"a\",\"qty\":1},{\"sku\":\"b\","
        + "\"qty\":1},{\"sku\":\"c\",\"qty\":\"two\"}]}";
    // when / then
    assertThatThrownBy(() -> bind(payload, Order.class))
        .isInstanceOf(PermanentFailure.class)
        .hasMessage("payload.items[2].qty: expected a number, got \"two\"");
  }

  @Test
  void aTopLevelMismatchNamesItsField() {
    // given / when / then
    assertThatThrownBy(() -> bind("{\"delayMs\":\"soon\"}", Delay.class))
        .hasMessage("payload.delayMs: expected a number, got \"soon\"");
  }

  @Test
  void aMissingRequiredFieldIsNamedWhetherMarkedByTroupeOrJackson() {
    // given an item without its @Required sku, and an order without its required customer
    String noSku = "{\"customer\":\"c\",\"items\":[{\"qty\":1}]}";
    String noCustomer = "{\"items\":[]}";
    // when / then
    assertThatThrownBy(() -> bind(noSku, Order.class))
        .hasMessage("payload.items[0].sku: required, missing");
    assertThatThrownBy(() -> bind(noCustomer, Order.class))
        .hasMessage("payload.customer: required, missing");
  }

  @Test
  void anUnknownEnumValueListsTheAllowedOnes() {
    // given / when / then
    assertThatThrownBy(() -> bind("{\"color\":\"BLUE\"}", Paint.class))
        .hasMessage("payload.color: expected one of [RED, GREEN], got \"BLUE\"");
  }

  @Test
  void anObjectWhereAnArrayIsExpectedIsNamed() {
    // given / when / then
    assertThatThrownBy(() -> bind("{\"customer\":\"c\",\"items\":{\"sku\":\"a\"}}", Order.class))
        .hasMessage("payload.items: expected an array, got {\"sku\":\"a\"}");
  }

  @Test
  void jsonNodeIsReturnedAsIs() throws Exception {
    // given
    JsonNode payload = json("{\"a\":1}");
    // when
    JsonNode bound = PayloadBinder.of(MAPPER).bind(payload, JsonNode.class, "payload");
    // then
    assertThat(bound).isSameAs(payload);
  }
}
