// n6-contract §8.4.1 (n6's test_abuse_ch.py): the time-ordered-rows part of each case, verbatim.

use super::{AbuseCase, St};

pub(super) const ABUSE_CASES: &[AbuseCase] = &[
    AbuseCase {
        id: "ABUSE-FEODO-01",
        column: 0,
        routing_key: "abuse-ch.feodotracker.202110",
        initial: Some(St {
            time: "2019-08-20 01:00:00",
            rows: &[
                "2019-08-20 01:00:00,1.1.1.1,447,online,2019-08-20,ExampleName1",
                "2019-08-20 01:00:00,2.2.2.2,447,online,2019-08-20,ExampleName2",
            ],
            count: Some(3),
        }),
        input: &[
            "# row which should be ignored by collector",
            "2019-08-20 03:00:00,5.5.5.5,447,online,2019-08-20,ExampleName5",
            "2019-08-20 03:00:00,4.4.4.4,447,online,2019-08-20,ExampleName4",
            "2019-08-20 02:00:00,3.3.3.3,447,online,2019-08-20,ExampleName3",
            "2019-08-20 01:00:00,2.2.2.2,447,online,2019-08-20,ExampleName2",
            "2019-08-20 01:00:00,1.1.1.1,447,online,2019-08-20,ExampleName1",
            "2019-08-20 00:00:00,0.0.0.0,447,online,2019-08-20,ExampleName0",
        ],
        published: &[
            "2019-08-20 02:00:00,3.3.3.3,447,online,2019-08-20,ExampleName3",
            "2019-08-20 03:00:00,4.4.4.4,447,online,2019-08-20,ExampleName4",
            "2019-08-20 03:00:00,5.5.5.5,447,online,2019-08-20,ExampleName5",
        ],
        saved: Some(St {
            time: "2019-08-20 03:00:00",
            rows: &[
                "2019-08-20 03:00:00,4.4.4.4,447,online,2019-08-20,ExampleName4",
                "2019-08-20 03:00:00,5.5.5.5,447,online,2019-08-20,ExampleName5",
            ],
            count: Some(6),
        }),
    },
    AbuseCase {
        id: "ABUSE-FEODO-02",
        column: 0,
        routing_key: "abuse-ch.feodotracker.202110",
        initial: Some(St {
            time: "2019-08-20 03:00:00",
            rows: &["2019-08-20 03:00:00,5.5.5.5,447,online,2019-08-20,ExampleName5"],
            count: Some(6),
        }),
        input: &[
            "# row which should be ignored by collector",
            "2019-08-20 03:00:00,5.5.5.5,447,online,2019-08-20,ExampleName5",
            "2019-08-20 03:00:00,4.4.4.4,447,online,2019-08-20,ExampleName4",
            "2019-08-20 02:00:00,3.3.3.3,447,online,2019-08-20,ExampleName3",
            "2019-08-20 01:00:00,2.2.2.2,447,online,2019-08-20,ExampleName2",
            "2019-08-20 01:00:00,1.1.1.1,447,online,2019-08-20,ExampleName1",
            "2019-08-20 00:00:00,0.0.0.0,447,online,2019-08-20,ExampleName0",
        ],
        published: &["2019-08-20 03:00:00,4.4.4.4,447,online,2019-08-20,ExampleName4"],
        saved: Some(St {
            time: "2019-08-20 03:00:00",
            rows: &[
                "2019-08-20 03:00:00,4.4.4.4,447,online,2019-08-20,ExampleName4",
                "2019-08-20 03:00:00,5.5.5.5,447,online,2019-08-20,ExampleName5",
            ],
            count: Some(6),
        }),
    },
    AbuseCase {
        id: "ABUSE-FEODO-03",
        column: 0,
        routing_key: "abuse-ch.feodotracker.202110",
        initial: None,
        input: &[
            "# row which should be ignored by collector",
            "2019-08-20 03:00:00,5.5.5.5,447,online,2019-08-20,ExampleName5",
            "2019-08-20 03:00:00,4.4.4.4,447,online,2019-08-20,ExampleName4",
            "2019-08-20 02:00:00,3.3.3.3,447,online,2019-08-20,ExampleName3",
            "2019-08-20 01:00:00,2.2.2.2,447,online,2019-08-20,ExampleName2",
            "2019-08-20 01:00:00,1.1.1.1,447,online,2019-08-20,ExampleName1",
            "2019-08-20 00:00:00,0.0.0.0,447,online,2019-08-20,ExampleName0",
        ],
        published: &[
            "2019-08-20 00:00:00,0.0.0.0,447,online,2019-08-20,ExampleName0",
            "2019-08-20 01:00:00,1.1.1.1,447,online,2019-08-20,ExampleName1",
            "2019-08-20 01:00:00,2.2.2.2,447,online,2019-08-20,ExampleName2",
            "2019-08-20 02:00:00,3.3.3.3,447,online,2019-08-20,ExampleName3",
            "2019-08-20 03:00:00,4.4.4.4,447,online,2019-08-20,ExampleName4",
            "2019-08-20 03:00:00,5.5.5.5,447,online,2019-08-20,ExampleName5",
        ],
        saved: Some(St {
            time: "2019-08-20 03:00:00",
            rows: &[
                "2019-08-20 03:00:00,4.4.4.4,447,online,2019-08-20,ExampleName4",
                "2019-08-20 03:00:00,5.5.5.5,447,online,2019-08-20,ExampleName5",
            ],
            count: Some(6),
        }),
    },
    AbuseCase {
        id: "ABUSE-SSLBL-01",
        column: 0,
        routing_key: "abuse-ch.ssl-blacklist.201902",
        initial: Some(St {
            time: "2019-08-20 01:00:00",
            rows: &[
                "2019-08-20 01:00:00,f0a0k0e0d0s0h0a010000000000a0a0a00000000,ExampleName1",
                "2019-08-20 01:00:00,f0a0k0e0d0s0h0a010000000000a0a0a00000000,ExampleName2",
            ],
            count: Some(3),
        }),
        input: &[
            "# row which should be ignored by collector",
            "2019-08-20 03:00:00,f0a0k0e0d0s0h0a010000000000a0a0a00000000,ExampleName5",
            "2019-08-20 03:00:00,f0a0k0e0d0s0h0a010000000000a0a0a00000000,ExampleName4",
            "2019-08-20 02:00:00,f0a0k0e0d0s0h0a010000000000a0a0a00000000,ExampleName3",
            "2019-08-20 01:00:00,f0a0k0e0d0s0h0a010000000000a0a0a00000000,ExampleName2",
            "2019-08-20 01:00:00,f0a0k0e0d0s0h0a010000000000a0a0a00000000,ExampleName1",
            "2019-08-20 00:00:00,f0a0k0e0d0s0h0a010000000000a0a0a00000000,ExampleName0",
        ],
        published: &[
            "2019-08-20 02:00:00,f0a0k0e0d0s0h0a010000000000a0a0a00000000,ExampleName3",
            "2019-08-20 03:00:00,f0a0k0e0d0s0h0a010000000000a0a0a00000000,ExampleName4",
            "2019-08-20 03:00:00,f0a0k0e0d0s0h0a010000000000a0a0a00000000,ExampleName5",
        ],
        saved: Some(St {
            time: "2019-08-20 03:00:00",
            rows: &[
                "2019-08-20 03:00:00,f0a0k0e0d0s0h0a010000000000a0a0a00000000,ExampleName4",
                "2019-08-20 03:00:00,f0a0k0e0d0s0h0a010000000000a0a0a00000000,ExampleName5",
            ],
            count: Some(6),
        }),
    },
    AbuseCase {
        id: "ABUSE-SSLBL-02",
        column: 0,
        routing_key: "abuse-ch.ssl-blacklist.201902",
        initial: None,
        input: &[
            "# row which should be ignored by collector",
            "2019-08-20 03:00:00,f0a0k0e0d0s0h0a010000000000a0a0a00000000,ExampleName5",
            "2019-08-20 03:00:00,f0a0k0e0d0s0h0a010000000000a0a0a00000000,ExampleName4",
            "2019-08-20 02:00:00,f0a0k0e0d0s0h0a010000000000a0a0a00000000,ExampleName3",
            "2019-08-20 01:00:00,f0a0k0e0d0s0h0a010000000000a0a0a00000000,ExampleName2",
            "2019-08-20 01:00:00,f0a0k0e0d0s0h0a010000000000a0a0a00000000,ExampleName1",
            "2019-08-20 00:00:00,f0a0k0e0d0s0h0a010000000000a0a0a00000000,ExampleName0",
        ],
        published: &[
            "2019-08-20 00:00:00,f0a0k0e0d0s0h0a010000000000a0a0a00000000,ExampleName0",
            "2019-08-20 01:00:00,f0a0k0e0d0s0h0a010000000000a0a0a00000000,ExampleName1",
            "2019-08-20 01:00:00,f0a0k0e0d0s0h0a010000000000a0a0a00000000,ExampleName2",
            "2019-08-20 02:00:00,f0a0k0e0d0s0h0a010000000000a0a0a00000000,ExampleName3",
            "2019-08-20 03:00:00,f0a0k0e0d0s0h0a010000000000a0a0a00000000,ExampleName4",
            "2019-08-20 03:00:00,f0a0k0e0d0s0h0a010000000000a0a0a00000000,ExampleName5",
        ],
        saved: Some(St {
            time: "2019-08-20 03:00:00",
            rows: &[
                "2019-08-20 03:00:00,f0a0k0e0d0s0h0a010000000000a0a0a00000000,ExampleName4",
                "2019-08-20 03:00:00,f0a0k0e0d0s0h0a010000000000a0a0a00000000,ExampleName5",
            ],
            count: Some(6),
        }),
    },
    AbuseCase {
        id: "ABUSE-PAYLOADURLS-01",
        column: 0,
        routing_key: "abuse-ch.urlhaus-payloads-urls",
        initial: Some(St {
            time: "2019-08-20 01:00:00",
            rows: &[
                "\"2019-08-20 01:00:00\",\"http://www.example1.com\",\"XX1\",\"111a1111a111aa1a11a11111aa111111\",\"1a1a11aa11a1a11aa11a1111111aaaaaaaaaaaaaa111111a1a1a1a1a1a1a1a11\",\"ExampleNick1\"",
                "\"2019-08-20 01:00:00\",\"http://www.example2.com\",\"XX2\",\"222b2222b222bb2b22b22222bb222222\",\"2b2b22bb22b2b22bb22b2222222bbbbbbbbbbbbbb222222b2b2b2b2b2b2b2b22\",\"ExampleNick2\"",
            ],
            count: Some(3),
        }),
        input: &[
            "# row which should be ignored by collector",
            "\"2019-08-20 03:00:00\",\"http://www.example5.com\",\"XX5\",\"555e5555e555ee5e55e55555ee555555\",\"5e5e55ee55e5e55ee55e5555555eeeeeeeeeeeeee555555e5e5e5e5e5e5e5e55\",\"ExampleNick5\"",
            "\"2019-08-20 03:00:00\",\"http://www.example4.com\",\"XX4\",\"444d4444d444dd4d44d44444dd444444\",\"4d4d44dd44d4d44dd44d4444444dddddddddddddd444444d4d4d4d4d4d4d4d44\",\"ExampleNick4\"",
            "\"2019-08-20 02:00:00\",\"http://www.example3.com\",\"XX3\",\"333c3333c333cc3c33c33333cc333333\",\"3c3c33cc33c3c33cc33c3333333cccccccccccccc333333c3c3c3c3c3c3c3c33\",\"ExampleNick3\"",
            "\"2019-08-20 01:00:00\",\"http://www.example2.com\",\"XX2\",\"222b2222b222bb2b22b22222bb222222\",\"2b2b22bb22b2b22bb22b2222222bbbbbbbbbbbbbb222222b2b2b2b2b2b2b2b22\",\"ExampleNick2\"",
            "\"2019-08-20 01:00:00\",\"http://www.example1.com\",\"XX1\",\"111a1111a111aa1a11a11111aa111111\",\"1a1a11aa11a1a11aa11a1111111aaaaaaaaaaaaaa111111a1a1a1a1a1a1a1a11\",\"ExampleNick1\"",
            "\"2019-08-20 00:00:00\",\"http://www.example0.com\",\"XX0\",\"000a0000a000aa0a00a00000aa000000\",\"0a0a00aa00a0a00aa00a0000000aaaaaaaaaaaaaa000000a0a0a0a0a0a0a0a00\",\"ExampleNick0\"",
        ],
        published: &[
            "\"2019-08-20 02:00:00\",\"http://www.example3.com\",\"XX3\",\"333c3333c333cc3c33c33333cc333333\",\"3c3c33cc33c3c33cc33c3333333cccccccccccccc333333c3c3c3c3c3c3c3c33\",\"ExampleNick3\"",
            "\"2019-08-20 03:00:00\",\"http://www.example4.com\",\"XX4\",\"444d4444d444dd4d44d44444dd444444\",\"4d4d44dd44d4d44dd44d4444444dddddddddddddd444444d4d4d4d4d4d4d4d44\",\"ExampleNick4\"",
            "\"2019-08-20 03:00:00\",\"http://www.example5.com\",\"XX5\",\"555e5555e555ee5e55e55555ee555555\",\"5e5e55ee55e5e55ee55e5555555eeeeeeeeeeeeee555555e5e5e5e5e5e5e5e55\",\"ExampleNick5\"",
        ],
        saved: Some(St {
            time: "2019-08-20 03:00:00",
            rows: &[
                "\"2019-08-20 03:00:00\",\"http://www.example4.com\",\"XX4\",\"444d4444d444dd4d44d44444dd444444\",\"4d4d44dd44d4d44dd44d4444444dddddddddddddd444444d4d4d4d4d4d4d4d44\",\"ExampleNick4\"",
                "\"2019-08-20 03:00:00\",\"http://www.example5.com\",\"XX5\",\"555e5555e555ee5e55e55555ee555555\",\"5e5e55ee55e5e55ee55e5555555eeeeeeeeeeeeee555555e5e5e5e5e5e5e5e55\",\"ExampleNick5\"",
            ],
            count: Some(6),
        }),
    },
    AbuseCase {
        id: "ABUSE-PAYLOADURLS-02",
        column: 0,
        routing_key: "abuse-ch.urlhaus-payloads-urls",
        initial: None,
        input: &[
            "# row which should be ignored by collector",
            "\"2019-08-20 03:00:00\",\"http://www.example5.com\",\"XX5\",\"555e5555e555ee5e55e55555ee555555\",\"5e5e55ee55e5e55ee55e5555555eeeeeeeeeeeeee555555e5e5e5e5e5e5e5e55\",\"ExampleNick5\"",
            "\"2019-08-20 03:00:00\",\"http://www.example4.com\",\"XX4\",\"444d4444d444dd4d44d44444dd444444\",\"4d4d44dd44d4d44dd44d4444444dddddddddddddd444444d4d4d4d4d4d4d4d44\",\"ExampleNick4\"",
            "\"2019-08-20 02:00:00\",\"http://www.example3.com\",\"XX3\",\"333c3333c333cc3c33c33333cc333333\",\"3c3c33cc33c3c33cc33c3333333cccccccccccccc333333c3c3c3c3c3c3c3c33\",\"ExampleNick3\"",
            "",
        ],
        published: &[
            "\"2019-08-20 02:00:00\",\"http://www.example3.com\",\"XX3\",\"333c3333c333cc3c33c33333cc333333\",\"3c3c33cc33c3c33cc33c3333333cccccccccccccc333333c3c3c3c3c3c3c3c33\",\"ExampleNick3\"",
            "\"2019-08-20 03:00:00\",\"http://www.example4.com\",\"XX4\",\"444d4444d444dd4d44d44444dd444444\",\"4d4d44dd44d4d44dd44d4444444dddddddddddddd444444d4d4d4d4d4d4d4d44\",\"ExampleNick4\"",
            "\"2019-08-20 03:00:00\",\"http://www.example5.com\",\"XX5\",\"555e5555e555ee5e55e55555ee555555\",\"5e5e55ee55e5e55ee55e5555555eeeeeeeeeeeeee555555e5e5e5e5e5e5e5e55\",\"ExampleNick5\"",
        ],
        saved: Some(St {
            time: "2019-08-20 03:00:00",
            rows: &[
                "\"2019-08-20 03:00:00\",\"http://www.example4.com\",\"XX4\",\"444d4444d444dd4d44d44444dd444444\",\"4d4d44dd44d4d44dd44d4444444dddddddddddddd444444d4d4d4d4d4d4d4d44\",\"ExampleNick4\"",
                "\"2019-08-20 03:00:00\",\"http://www.example5.com\",\"XX5\",\"555e5555e555ee5e55e55555ee555555\",\"5e5e55ee55e5e55ee55e5555555eeeeeeeeeeeeee555555e5e5e5e5e5e5e5e55\",\"ExampleNick5\"",
            ],
            count: Some(3),
        }),
    },
];
