package io.netfence.shell.gogo;

import io.netfence.shell.tc.PsampleCommand;
import io.netfence.tc.api.PsampleService;
import java.util.List;
import org.apache.felix.service.command.Descriptor;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.Reference;
import org.osgi.service.component.annotations.ReferenceCardinality;
import org.osgi.service.component.annotations.ReferencePolicy;

/**
 * The Gogo command {@code netfence:psample}. Like {@link TcShell}, the PsampleService is optional
 * and dynamic and held as an Object, so the class loads without the tc packages.
 */
@Component(service = Object.class, immediate = true, property = {
        "osgi.command.scope=netfence", "osgi.command.function=psample"})
public class PsampleShell {
    static final String NOT_AVAILABLE = "Error: psample is not available: no PsampleService is registered;"
            + " expected the netfence-tc feature to be installed (see feature list)";
    private final OptionalService psample = new OptionalService();

    @Reference(service = PsampleService.class, cardinality = ReferenceCardinality.OPTIONAL, policy = ReferencePolicy.DYNAMIC,
            unbind = "unbindPsample")
    void bindPsample(Object service) {
        psample.bind(service);
    }

    void unbindPsample(Object service) {
        psample.unbind(service);
    }

    @Descriptor("the packets tc's sample action delivered, as libpsample's psample shows them:"
            + " psample [-j] [-v] [-k] [-g GROUP] [-w FILE], psample -l; \"psample help\" explains")
    public Object psample(@Descriptor("options: -j, -v, -k, -g GROUP, -w FILE, -l, help") String... args) {
        Object service = psample.get();
        if (service == null) {
            throw new io.netfence.shell.text.CommandException(NOT_AVAILABLE);
        }
        return Calls.run(service, List.of(args));
    }

    /** The only place that links the tc packages: loaded on the first psample command. */
    private static final class Calls {
        static String run(Object service, List<String> args) {
            return new PsampleCommand((PsampleService) service).execute(args);
        }
    }
}
