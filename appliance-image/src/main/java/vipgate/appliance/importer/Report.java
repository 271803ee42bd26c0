package vipgate.appliance.importer;

import java.util.ArrayList;
import java.util.List;

/** Everything an import has to tell, in the order it was found; nothing the importer leaves out goes unsaid. */
public final class Report {
    private final List<Finding> findings = new ArrayList<>();

    public void repaired(String file, int line, String message) {
        findings.add(new Finding(Finding.Kind.REPAIRED, file, line, message));
    }

    public void notMapped(Directive d, String why) {
        findings.add(new Finding(Finding.Kind.NOT_MAPPED, d.file(), d.line(), d.name() + ": " + why));
    }

    public void changed(Directive d, String how) {
        findings.add(new Finding(Finding.Kind.CHANGED, d.file(), d.line(), d.name() + ": " + how));
    }

    public List<Finding> findings() {
        return List.copyOf(findings);
    }
}
