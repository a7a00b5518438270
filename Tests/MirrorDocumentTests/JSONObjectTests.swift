import MirrorDocument
import Testing

@Suite("JSON objects")
struct JSONObjectTests {
    /// Large objects look keys up through an index; it must agree with the members through every
    /// kind of change, across the size where it is built and dropped.
    @Test func lookupsAgreeWithTheMembersAcrossTheIndexThreshold() {
        var object = JSONObject()
        var model: [(String, Int)] = []
        var generator = SystemRandomNumberGenerator()
        for step in 0..<3_000 {
            let key = "k\(Int.random(in: 0..<80, using: &generator))"
            if Bool.random(using: &generator) || model.count < 20 {
                object[key] = .number(JSONNumber(step))
                if let position = model.firstIndex(where: { $0.0 == key }) { model[position].1 = step } else { model.append((key, step)) }
            } else {
                object[key] = nil
                model.removeAll { $0.0 == key }
            }
            #expect(object.keys == model.map(\.0))
            for (position, (key, value)) in model.enumerated() {
                #expect(object.index(forKey: key) == position)
                #expect(object[key] == .number(JSONNumber(value)))
            }
            #expect(object.index(forKey: "absent") == nil)
        }
        let parsed = JSONObject(uniqueKeys: (0..<100).map { "m\($0)" }, values: (0..<100).map { .number(JSONNumber($0)) })
        #expect(parsed.index(forKey: "m99") == 99)
        #expect(parsed.positions()["m7"] == 7)
    }

    @Test func equalityIgnoresMemberOrderAndHashingAgrees() {
        let a: JSONValue = ["x": 1, "y": [true, nil], "z": "s"]
        let b: JSONValue = ["z": "s", "x": 1, "y": [true, nil]]
        #expect(a == b)
        #expect(a.hashValue == b.hashValue)
        #expect(a != ["x": 1, "y": [true, nil]])
        #expect(JSONValue.number(JSONNumber("1.0")!) != .number(JSONNumber("1")!))
        #expect(JSONValue.number(JSONNumber("1.0")!).isEqualByValue(.number(JSONNumber("10e-1")!)))
    }
}
