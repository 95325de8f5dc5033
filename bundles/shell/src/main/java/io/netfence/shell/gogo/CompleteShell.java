package io.netfence.shell.gogo;

import io.netfence.features.api.FeatureInfo;
import io.netfence.features.api.FeatureService;
import io.netfence.net.api.LinkInfo;
import io.netfence.net.api.NetService;
import io.netfence.shell.complete.CommandCompletion;
import java.util.List;
import java.util.TreeSet;
import org.apache.felix.service.command.Descriptor;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.Reference;
import org.osgi.service.component.annotations.ReferenceCardinality;
import org.osgi.service.component.annotations.ReferencePolicy;

/**
 * The Gogo function {@code netfence:__complete}, which the console profile's {@code complete -a}
 * scripts call with the line's words and the index of the word being completed (JLine's
 * {@code $.commandLine}). Its name starts with "_", so it is not offered as a command. The services
 * are optional: what they would name is simply not offered while they are gone.
 */
@Component(service = Object.class, immediate = true, property = {
        "osgi.command.scope=netfence", "osgi.command.function=__complete"})
public class CompleteShell implements CommandCompletion.Names {
    private volatile NetService net;
    private volatile FeatureService features;

    @Reference(cardinality = ReferenceCardinality.OPTIONAL, policy = ReferencePolicy.DYNAMIC, unbind = "unbindNet")
    void bindNet(NetService s) {
        net = s;
    }

    void unbindNet(NetService s) {
        if (net == s) {
            net = null;
        }
    }

    @Reference(cardinality = ReferenceCardinality.OPTIONAL, policy = ReferencePolicy.DYNAMIC, unbind = "unbindFeatures")
    void bindFeatures(FeatureService s) {
        features = s;
    }

    void unbindFeatures(FeatureService s) {
        if (features == s) {
            features = null;
        }
    }

    @Descriptor("the words that may stand at INDEX of a Netfence command line (for tab completion)")
    public List<String> __complete(@Descriptor("the words of the line") List<?> words,
                                   @Descriptor("the index of the word being completed") int index) {
        try {
            return CommandCompletion.candidates(words.stream().map(String::valueOf).toList(), index, this);
        } catch (RuntimeException e) {
            // Completion must never break the line being edited.
            return List.of();
        }
    }

    @Override
    public List<String> devices() {
        NetService n = net;
        return n == null ? List.of() : n.links().stream().map(LinkInfo::name).toList();
    }

    @Override
    public List<String> linkTypes() {
        NetService n = net;
        return n == null ? List.of() : List.copyOf(new TreeSet<>(n.linkTypes()));
    }

    @Override
    public List<String> features(boolean installed) {
        FeatureService f = features;
        return f == null ? List.of() : f.features().stream().filter(i -> i.installed() == installed).map(FeatureInfo::name).toList();
    }
}
