import ManifestBuilder

extension SecretMasker {
    /// What an audit record keeps of an instance before and after a change, secrets masked.
    ///
    /// Both sides would show the same mask when only a secret changed, and the record would
    /// list no change at all; so a secret whose value changed reads `"•••••• (changed)"` on the
    /// after side. The record says that it changed, never what it was or became.
    public static let changedMask = mask + " (changed)"

    func auditPair(
        _ before: DestinationInstance?, _ after: DestinationInstance?, render: (DestinationInstance) -> JSONValue
    ) -> (JSONValue?, JSONValue?) {
        let renderedBefore = before.map(render)
        guard let after, case .object(var members) = render(after), case .object(var settings)? = members["settings"],
            let entry = catalog.destination(named: after.destination)
        else { return (renderedBefore, after.map(render)) }
        for field in entry.settings where field.secret {
            let old = before?.settings[field.name] ?? .null
            let new = after.settings[field.name] ?? .null
            if old != new && new != .null { settings[field.name] = .string(Self.changedMask) }
        }
        members["settings"] = .object(settings)
        return (renderedBefore, .object(members))
    }
}
