package dev.dossier.it;

import java.io.File;
import org.jboss.shrinkwrap.api.ShrinkWrap;
import org.jboss.shrinkwrap.api.spec.WebArchive;

/** The real application: the WAR the webapp module built, deployed unchanged. */
final class Deployments {
    private Deployments() {
    }

    static WebArchive dossier() {
        File war = new File(System.getProperty("dossier.it.war", "target/deployments/dossier.war"));
        if (!war.isFile()) {
            throw new IllegalStateException("no WAR at " + war + ": build the webapp module first (mvn -pl src-it -am verify)");
        }
        return ShrinkWrap.createFromZipFile(WebArchive.class, war);
    }
}
