package vipgate.health;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class StatusRangeTest {

    @Test
    void singleStatus() {
        StatusRange r = StatusRange.parse("200");
        assertThat(r.contains(200)).isTrue();
        assertThat(r.contains(201)).isFalse();
        assertThat(r.contains(199)).isFalse();
        assertThat(r).hasToString("200");
    }

    @Test
    void rangeIsInclusive() {
        StatusRange r = StatusRange.parse("200-399");
        assertThat(r.contains(199)).isFalse();
        assertThat(r.contains(200)).isTrue();
        assertThat(r.contains(302)).isTrue();
        assertThat(r.contains(399)).isTrue();
        assertThat(r.contains(400)).isFalse();
    }

    @Test
    void listOfStatusesAndRanges() {
        StatusRange r = StatusRange.parse(" 200, 204 ,300-399");
        assertThat(r.contains(200)).isTrue();
        assertThat(r.contains(201)).isFalse();
        assertThat(r.contains(204)).isTrue();
        assertThat(r.contains(301)).isTrue();
        assertThat(r.contains(503)).isFalse();
        assertThat(r).hasToString("200,204,300-399");
        assertThat(r).isEqualTo(StatusRange.parse("200,204,300-399"));
    }

    @Test
    void outOfRangeQueriesAreFalse() {
        StatusRange r = StatusRange.parse("100-599");
        assertThat(r.contains(-1)).isFalse();
        assertThat(r.contains(0)).isFalse();
        assertThat(r.contains(600)).isFalse();
        assertThat(r.contains(Integer.MAX_VALUE)).isFalse();
    }

    @ParameterizedTest
    @CsvSource(delimiter = '|', value = {
        "''         | empty status list",
        "2xx        | '2xx' in '2xx' is not an HTTP status from 100 to 599",
        "99         | '99' in '99' is not an HTTP status",
        "600        | '600' in '600' is not an HTTP status",
        "200,       | '' in '200,' is not an HTTP status",
        "200-       | '' in '200-' is not an HTTP status",
        "399-200    | '399-200' in '399-200' is backwards; write the lower status first, e.g. 200-399",
        "200-300-400| is not an HTTP status",
        "0200       | is not an HTTP status",
    })
    void rejectsWithAMessageThatSaysWhatToWrite(String text, String message) {
        assertThatThrownBy(() -> StatusRange.parse(text))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining(message);
    }

    @Test
    void messageShowsTheAcceptedForms() {
        assertThatThrownBy(() -> StatusRange.parse("ok")).hasMessageEndingWith("write a status or range such as 200, 200-399 or 200,204,300-399");
    }
}
