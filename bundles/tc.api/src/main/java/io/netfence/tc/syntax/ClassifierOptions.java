package io.netfence.tc.syntax;

import io.netfence.tc.api.Action;
import io.netfence.tc.api.Classifier;
import java.util.List;

/**
 * What a classifier's words describe besides the filter's place: the match, the handle read the
 * classifier's way (u32 handles are {@code HT:BUCKET:NODE}, the others plain numbers), the
 * offload flags, the class id and the action list.
 */
record ClassifierOptions(Classifier classifier, long handle, boolean skipSw, boolean skipHw, long classid, List<Action> actions) {
}
