package io.netfence.backend.software.tc;

import io.netfence.packet.PacketBuffer;

/**
 * Runs a filter's action list as Linux's tcf_action_exec does: each action's verdict decides
 * what follows; {@code pipe} goes on to the next action, {@code jump N} skips the next N actions
 * (as the model and tc-actions(8) describe it; Linux counts N from the start of the list), any
 * other verdict ends the list. A list that runs to its end yields {@code pipe}, which the caller
 * treats as {@code ok}; an empty list yields {@code ok}.
 */
final class ActionRunner {
    private ActionRunner() {
    }

    static int run(ActionStep[] actions, PacketBuffer p, ClassifyContext ctx) {
        int verdict = Verdict.OK;
        int i = 0;
        while (i < actions.length) {
            verdict = actions[i].run(p, ctx);
            if (verdict == Verdict.JUMP) {
                // Always forward, so a list cannot loop; a jump past the end ends the list.
                i += 1 + ctx.value;
                verdict = Verdict.PIPE;
                continue;
            }
            if (verdict != Verdict.PIPE) {
                return verdict;
            }
            i++;
        }
        return verdict;
    }
}
