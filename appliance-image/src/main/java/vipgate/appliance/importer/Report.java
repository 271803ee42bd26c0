package vipgate.appliance.importer;

import java.util.ArrayList;
import java.util.List;

/** Everything an import has to tell, in the order it was found; nothing the importer leaves out goes unsaid. */
public final class Report {
    private final List<Finding> findings = new ArrayList<>();

    public void repaired(String file, int line, String message) {
        add(new Finding(Finding.Kind.REPAIRED, file, line, message));
    }

    public void notMapped(Directive d, String why) {
        add(new Finding(Finding.Kind.NOT_MAPPED, d.file(), d.line(), d.name() + ": " + why));
    }

    public void changed(Directive d, String how) {
        add(new Finding(Finding.Kind.CHANGED, d.file(), d.line(), d.name() + ": " + how));
    }

    /** Once: a block mapped several times (a virtual_server group's every service) says each thing once. */
    private void add(Finding f) {
        if (!findings.contains(f)) {
            findings.add(f);
        }
    }

    public List<Finding> findings() {
        return List.copyOf(findings);
    }
}
