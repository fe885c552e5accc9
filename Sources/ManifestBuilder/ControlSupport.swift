/// Small additions the control plane (`ManifestControl`) needs from the model.

/// Lets the API list the families a catalog filter accepts.
extension DestinationFamily: CaseIterable {
    public static var allCases: [DestinationFamily] { [.classic, .actions] }
}
