// Public exports of the schema registry and serializers (issue: schema registry).
export {};
