import HTTPTypes

/// RFC 9111 §4.1: the values of the fields a response varies on, normalised so that equivalent
/// requests select the same stored response: list members trimmed, and for the `Accept*`
/// fields case, order and the spelling of q-values do not matter.
enum VaryKey {
    static func normalized(_ values: [String], of name: HTTPField.Name) -> String {
        let members = values.flatMap { $0.split(separator: ",") }
            .map { $0.trimmingCharacters(in: [" ", "\t"]) }
            .filter { !$0.isEmpty }
        guard name.canonicalName.hasPrefix("accept") else { return members.joined(separator: ",") }
        return members.map(preference).sorted().joined(separator: ",")
    }

    /// `en-US ; q=0.50` as `en-us;q=0.5`; no q-value means 1.
    private static func preference(_ member: String) -> String {
        let parts = member.lowercased().split(separator: ";").map { $0.trimmingCharacters(in: [" ", "\t"]) }
        var quality = 1.0
        var parameters: [String] = []
        for parameter in parts.dropFirst() {
            let pair = parameter.split(separator: "=", maxSplits: 1).map { $0.trimmingCharacters(in: [" ", "\t"]) }
            if pair.count == 2, pair[0] == "q", let value = Double(pair[1]) {
                quality = value
            } else {
                parameters.append(pair.joined(separator: "="))
            }
        }
        return ([parts.first ?? ""] + parameters + ["q=\(quality)"]).joined(separator: ";")
    }
}
