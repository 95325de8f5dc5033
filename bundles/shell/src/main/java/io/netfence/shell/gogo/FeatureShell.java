package io.netfence.shell.gogo;

import io.netfence.features.api.FeatureService;
import io.netfence.shell.feature.FeatureCommand;
import org.apache.felix.service.command.Descriptor;
import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.Reference;

/** The Gogo command {@code netfence:feature}. */
@Component(service = Object.class, immediate = true, property = {
        "osgi.command.scope=netfence", "osgi.command.function=feature"})
public class FeatureShell {
    private final FeatureCommand feature;

    @Activate
    public FeatureShell(@Reference FeatureService features) {
        this.feature = new FeatureCommand(features);
    }

    @Descriptor("list, inspect, install and uninstall features (named sets of bundles): feature [-j] { list |"
            + " info NAME | install NAME | uninstall NAME | help }")
    public Object feature(@Descriptor("a command and its feature name") String... args) {
        return feature.execute(args);
    }
}
