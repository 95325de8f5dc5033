package io.netfence.tc.api;

/** {@code vlan pop}, {@code vlan push id N [protocol 802.1Q|802.1ad] [priority P]}, {@code vlan modify id N [priority P]}. */
public record VlanAction(int index, Control control, Op op, int id, int priority, int protocol) implements Action {
    public enum Op {
        POP,
        PUSH,
        MODIFY
    }

    public VlanAction {
        if (op == null) {
            throw new TcException("vlan: expected pop, push or modify");
        }
        if (op != Op.POP && (id < 0 || id > 4095)) {
            throw new TcException("id: expected a VLAN id from 0 to 4095");
        }
        if (priority < -1 || priority > 7) {
            throw new TcException("priority: expected 0 to 7");
        }
        if (protocol == 0) {
            protocol = EtherTypes.VLAN;
        }
        if (protocol != EtherTypes.VLAN && protocol != EtherTypes.QINQ) {
            throw new TcException("protocol: expected 802.1Q or 802.1ad");
        }
        if (control == null) {
            control = Control.PIPE;
        }
    }

    @Override
    public String kind() {
        return "vlan";
    }

    @Override
    public Action withIndex(int i) {
        return new VlanAction(i, control, op, id, priority, protocol);
    }
}
