import Foundation
import ManifestBuilder

/// The instance page's "Add filter" form, read back into a `DestinationFilter`. The condition is
/// not checked here: the rules compile it (F1) and a refusal names the position in the FQL.
enum FilterForm {
    static let actions = ["drop", "sample", "drop_properties", "allow_properties"]

    /// The filter the form describes, or a sentence saying which input is wrong.
    static func filter(from form: FormBody) throws(ControlError) -> DestinationFilter {
        let name = (form["filter-name"] ?? "").trimmingCharacters(in: .whitespaces)
        let condition = form["filter-if"] ?? ""
        let action: DestinationFilter.Action
        switch form["filter-type"] ?? "drop" {
        case "drop":
            action = .drop
        case "sample":
            guard let percent = Double(form["filter-percent"] ?? ""), (0...100).contains(percent) else {
                throw .badRequest("A sample keeps a percentage: a number from 0 to 100.", pointer: "/filter")
            }
            let path = (form["filter-path"] ?? "").trimmingCharacters(in: .whitespaces)
            action = .sample(percent: percent, path: path.isEmpty ? nil : path)
        case "drop_properties":
            action = .dropProperties(try fields(form))
        case "allow_properties":
            action = .allowProperties(try fields(form))
        default:
            throw .badRequest("Choose what the filter does.", pointer: "/filter")
        }
        return DestinationFilter(name: name.isEmpty ? "Filter" : name, condition: condition, action: action)
    }

    private static func fields(_ form: FormBody) throws(ControlError) -> [String] {
        let fields = (form["filter-fields"] ?? "").split(separator: ",").map {
            $0.trimmingCharacters(in: .whitespaces)
        }.filter { !$0.isEmpty }
        guard !fields.isEmpty else {
            throw .badRequest("List the properties, separated by commas.", pointer: "/filter")
        }
        return fields
    }
}
