package vipgate.health;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class StatusRangeTest {

    @ParameterizedTest(name = "''{0}'' contains {1}: {2}")
    @CsvSource(delimiter = '|', textBlock = """
            # a single status
            200                 | 200        | true
            200                 | 201        | false
            200                 | 199        | false
            # a range, inclusive
            200-399             | 199        | false
            200-399             | 200        | true
            200-399             | 302        | true
            200-399             | 399        | true
            200-399             | 400        | false
            # a list of statuses and ranges
            ' 200, 204 ,300-399' | 200       | true
            ' 200, 204 ,300-399' | 201       | false
            ' 200, 204 ,300-399' | 204       | true
            ' 200, 204 ,300-399' | 301       | true
            ' 200, 204 ,300-399' | 503       | false
            # queries out of any HTTP status's range
            100-599             | -1         | false
            100-599             | 0          | false
            100-599             | 600        | false
            100-599             | 2147483647 | false
            """)
    void contains(String range, int status, boolean contained) {
        assertThat(StatusRange.parse(range).contains(status)).isEqualTo(contained);
    }

    @ParameterizedTest(name = "''{0}'' is {1}")
    @CsvSource(delimiter = '|', textBlock = """
            200                  | 200
            ' 200, 204 ,300-399' | 200,204,300-399
            """)
    void printsAndComparesInItsCanonicalForm(String range, String canonical) {
        StatusRange r = StatusRange.parse(range);
        assertThat(r).hasToString(canonical);
        assertThat(r).isEqualTo(StatusRange.parse(canonical));
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
