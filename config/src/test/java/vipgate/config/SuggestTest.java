package vipgate.config;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import org.junit.jupiter.api.Test;

class SuggestTest {
    @Test
    void findsTranspositionsAndTypos() {
        List<String> keys = List.of("weight", "max-fails", "fail-timeout", "backup");
        assertThat(Suggest.closest("wieght", keys)).contains("weight");
        assertThat(Suggest.closest("max_fails", keys)).contains("max-fails");
        assertThat(Suggest.closest("failtimeout", keys)).contains("fail-timeout");
        assertThat(Suggest.closest("colour", keys)).isEmpty();
    }
}
